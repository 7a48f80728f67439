import type { OpInfo } from "../op-info-kit.js";

/** Entries of the reductions ops (see op-info-kit.ts for what an entry says). */
export const reductionInfos: readonly OpInfo[] = [];
