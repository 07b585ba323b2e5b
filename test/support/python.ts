// Python's own json module is the oracle for NixOps' bytes (NixOps is a Python program). Without
// python3 those checks skip with one line; under CI it is required (requireTool.ts).

import { requireTool } from "./requireTool";

export const HAS_PYTHON = requireTool("python3", "apt-get install python3");
