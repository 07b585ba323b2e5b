// The hook point for checks that other parts of statefile-merge add to `doctor`: a
// per-repository policy file (src/policy/) validates itself here. Add an import and an entry;
// each check gets the repository and returns findings (see DoctorCheck in ./doctor).

import type { DoctorCheck } from "./doctor";
import { policyFileCheck } from "./policyCheck";

export const EXTRA_DOCTOR_CHECKS: DoctorCheck[] = [policyFileCheck];
