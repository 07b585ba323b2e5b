// Preloaded into the driver by a test: reports the process's own peak memory on exit.
process.on("exit", () => require("node:fs").writeSync(2, `maxrss-kib ${process.resourceUsage().maxRSS}\n`));
