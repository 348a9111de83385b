/**
 * Where `interference --fit` and `coresidency --fit` write: a calibration file whose other contents stay as they are.
 * Each fitted field carries its provenance in `interference.fittedOn` as one `<field>: <how>` entry, separated by
 * "; ": a refit replaces its own entry and keeps the other fit's.
 */
import { formatCalibration, readCalibration, type Calibration, type InterferenceParams } from "../gpu/calibration";
import { InputError, writeOutput } from "./output";

/** Reads the calibration to write into, before any fit runs, so that a bad file fails at once. */
export function readFitTarget(file: string): Calibration {
  try {
    return readCalibration(file);
  } catch (e) {
    throw new InputError(file, (e as Error).message.replace(`${file}: `, "").replace(/^ENOENT.*/, "no such file"));
  }
}

type FittedField = Exclude<keyof InterferenceParams, "fittedOn">;

/** Sets one fitted interference field and its provenance, and writes the calibration. */
export async function writeInterferenceFit<K extends FittedField>(file: string, cal: Calibration, field: K, value: NonNullable<InterferenceParams[K]>, how: string): Promise<void> {
  const others = (cal.interference?.fittedOn ?? "").split("; ").filter((entry) => entry !== "" && !entry.startsWith(`${field}: `));
  cal.interference = { ...(cal.interference ?? {}), [field]: value, fittedOn: [...others, `${field}: ${how}`].join("; ") };
  await writeOutput(file, formatCalibration(cal));
}
