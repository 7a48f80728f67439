import type { OpInfo } from "../op-info-kit.js";

/** Entries of the normalization ops (see op-info-kit.ts for what an entry says). */
export const normalizationInfos: readonly OpInfo[] = [];
