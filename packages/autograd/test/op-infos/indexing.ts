import type { OpInfo } from "../op-info-kit.js";

/** Entries of the indexing ops (see op-info-kit.ts for what an entry says). */
export const indexingInfos: readonly OpInfo[] = [];
