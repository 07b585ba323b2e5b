import { describe, expect, it } from "vitest";
import { hashSecret, isSecretName, looksLikeSecretText } from "../../src/profiles/secrets";

describe("secret attribute names", () => {
  it("covers every secret attribute the NixOps plugins write", () => {
    for (const name of [
      "none.sshPrivateKey", "privateKey", "ec2.privateHostKey", "virtualbox.clientPrivateKey", "hcloud.token",
      "droplet.authToken", "hetzner.robotPass", "hetzner.rescuePasswd", "ec2.rdsMasterPassword", "passphrase",
    ]) expect(isSecretName(name), name).toBe(true);
  });

  it("covers key names that merely contain 'pass' (a keys entry called db-pass)", () => {
    expect(isSecretName("db-pass")).toBe(true);
    expect(isSecretName("smtp_pass")).toBe(true);
  });

  it("covers provider attributes Terraform does not always mark sensitive: access keys and connection strings", () => {
    for (const name of ["primary_access_key", "secondary_access_key", "accessKey", "primary_connection_string", "connectionString"]) expect(isSecretName(name), name).toBe(true);
  });

  it("covers auth values (a Docker registry's auth, basicAuth, an Authorization header), not authors", () => {
    for (const name of ["auth", "basicAuth", "Authorization", "oauth_client", "authorised", "AUTH"]) expect(isSecretName(name), name).toBe(true);
    for (const name of ["author", "authority", "Author", "authored"]) expect(isSecretName(name), name).toBe(false);
  });

  it("leaves ordinary attributes alone, and takes extra names from the policy", () => {
    for (const name of ["publicKey", "vmId", "toplevel", "ec2.keyPair", "keys", "name", "ec2.accessKeyId"]) expect(isSecretName(name), name).toBe(false);
    for (const name of ["apiKey", "api_key", "STRIPE_API_KEY"]) expect(isSecretName(name), name).toBe(true);
    expect(isSecretName("licenseCode")).toBe(false);
    // Extra names: without case, and as the last part of a dotted NixOps name.
    for (const name of ["licenseCode", "LICENSECODE", "acme.licenseCode"]) expect(isSecretName(name, ["licenseCode"]), name).toBe(true);
    for (const name of ["licenseCodes", "xlicenseCode", "licenseCode.version"]) expect(isSecretName(name, ["licenseCode"]), name).toBe(false);
  });

  it("finds PEM blocks by content and hashes without revealing", () => {
    expect(looksLikeSecretText("x\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc")).toBe(true);
    expect(looksLikeSecretText("ssh-ed25519 AAAA")).toBe(false);
    const h = hashSecret("hunter2");
    expect(h).toMatch(/^<secret sha256:[0-9a-f]{12}>$/);
    expect(h).not.toContain("hunter2");
    expect(hashSecret("hunter3")).not.toBe(h);
  });
});
