/**
 * CUPTI enum values → canonical strings. Numbers from cupti_activity.h (CUDA 13.0): CUpti_ActivityMemcpyKind,
 * CUpti_ActivityMemoryKind, CUpti_ActivitySynchronizationType, CUpti_ActivityLaunchType. CUPTI's numbering differs
 * from nsys's for memory kinds (nsys 0 = Pageable, CUPTI 0 = Unknown) and launch types (nsys 0 = Unknown).
 */

/** CUpti_ActivityMemcpyKind, 0 = UNKNOWN; labels as the other importers write them. */
const COPY_KINDS: readonly (string | null)[] = [null, "HtoD", "DtoH", "HtoA", "AtoH", "AtoA", "AtoD", "DtoA", "DtoD", "HtoH", "PtoP"];
/** CUpti_ActivityMemoryKind, 0 = UNKNOWN; labels as nsys's ENUM_CUDA_MEM_KIND gives them. */
const MEMORY_KINDS: readonly (string | null)[] = [null, "Pageable", "Pinned", "Device", "Array", "Managed", "Device Static", "Managed Static"];
/** CUpti_ActivitySynchronizationType. */
const SYNC_KINDS: readonly string[] = ["unknown", "event", "stream_wait", "stream", "context"];
/** CUpti_ActivityLaunchType (3 = CBL_COMMANDLIST, CUDA ≥ 12.0 headers). */
const LAUNCH_TYPES: readonly string[] = ["regular", "cooperative_single_device", "cooperative_multi_device", "cbl_commandlist"];

/** CUPTI_SYNCHRONIZATION_INVALID_VALUE: a synchronization record's stream or event id that does not apply. */
export const SYNC_INVALID = 0xffffffff;

export const copyKind = (v: number): string | null => COPY_KINDS[v] ?? null;
export const memoryKind = (v: number): string | null => MEMORY_KINDS[v] ?? null;
export const syncKind = (v: number): string => SYNC_KINDS[v] ?? "unknown";
export const launchType = (v: number): string | null => LAUNCH_TYPES[v] ?? null;
