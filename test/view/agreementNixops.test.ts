// Every command agrees on a conflicted merge of each NixOps fixture (test/view/agreementSuite.ts).

import { FIXTURES } from "../support/fixtures";
import { nixopsScenario } from "../support/scenarios";
import { describeAgreement } from "../support/agreementSuite";

for (const fixture of FIXTURES) describeAgreement(nixopsScenario(fixture));
