import type { OpInfo } from "../op-info-kit.js";

/** Entries of the pooling ops (see op-info-kit.ts for what an entry says). */
export const poolingInfos: readonly OpInfo[] = [];
