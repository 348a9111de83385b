/** The `--gpu` option of the model commands: a spec key or alias, unknown names as usage errors. */
import { gpuSpec } from "../gpu/specs";
import type { GpuSpec } from "../gpu/specs/spec";
import { UsageError } from "./args";

export function gpuOption(value: string | true | undefined, fallback = "h200"): GpuSpec {
  try {
    return gpuSpec(typeof value === "string" ? value : fallback);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
