import type { OpInfo } from "../op-info-kit.js";

/** Entries of the conv ops (see op-info-kit.ts for what an entry says). */
export const convInfos: readonly OpInfo[] = [];
