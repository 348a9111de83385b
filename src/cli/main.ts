/**
 * The `lithos-replay` command line: parses the command word, runs it, maps failures to exit codes
 * (0 success, 2 bad input or usage, 1 internal error) and prints errors as one line naming the file and the cause.
 */
import { ImportError } from "../ingest/errors";
import { producer } from "../util/version";
import { UsageError } from "./args";
import { IMPORT_USAGE, importCommand } from "./import";
import { INFO_USAGE, infoCommand } from "./info";
import { SUMMARY_USAGE, summaryCommand } from "./summary";
import { PREDICT_USAGE, predictCommand } from "./predict";
import { CALIBRATE_USAGE, calibrateCommand } from "./calibrate";
import { MODEL_ERROR_USAGE, modelErrorCommand } from "./model-error";
import { InputError } from "./output";
import { STACK_USAGE, stackCommand } from "./stack";
import { RUN_USAGE, runCommand } from "./run";
import { COLOCATION_USAGE, colocationCommand } from "./colocation";
import { STACKING_USAGE, stackingCommand } from "./stacking";
import { PHASES_USAGE, phasesCommand } from "./phases";
import { CO_RESIDENCY_USAGE, coResidencyCommand } from "./co-residency";
import { ELIGIBLE_USAGE, eligibleCommand } from "./eligible";
import { STALLS_USAGE, stallsCommand } from "./stalls";
import { INTERFERENCE_USAGE, interferenceCommand } from "./interference";
import { CROSS_GPU_USAGE, crossGpuCommand } from "./cross-gpu";
import { COMPARE_USAGE, compareCommand } from "./compare";
import { PAPER_REPORT_USAGE, paperReportCommand } from "./paper-report";
import { SWEEP_USAGE, sweepCommand } from "./sweep";
import { FIGURES_USAGE, figuresCommand } from "./figures";

const COMMANDS: Record<string, { usage: string; doc: string; run: (argv: string[]) => Promise<number> }> = {
  import: { usage: IMPORT_USAGE, doc: "import one trace (Kineto JSON, nsys SQLite) into one Arrow file of canonical tables", run: importCommand },
  info: { usage: INFO_USAGE, doc: "row counts, devices, streams, time span, kernel time and top kernels of a trace", run: infoCommand },
  summary: { usage: SUMMARY_USAGE, doc: "import and summarise several traces (the bundled samples by default)", run: summaryCommand },
  predict: { usage: PREDICT_USAGE, doc: "predict kernel durations at other SM counts, clocks or GPUs from their full-chip durations", run: predictCommand },
  calibrate: { usage: CALIBRATE_USAGE, doc: "fit the timing and power model on measurements and write a calibration JSON", run: calibrateCommand },
  stack: { usage: STACK_USAGE, doc: "replay a latency-critical service beside a best-effort job on one simulated GPU under a sharing policy", run: stackCommand },
  run: { usage: RUN_USAGE, doc: "replay an experiment file: any number of tenants, each with its trace and arrival process, under one policy", run: runCommand },
  compare: { usage: COMPARE_USAGE, doc: "an experiment under every sharing system next to each tenant alone: tails, SLOs, aggregate throughput, energy, capacity; sweeps", run: compareCommand },
  sweep: { usage: SWEEP_USAGE, doc: "the cross product of policies, loads, seeds and tenant mixes on all cores, resumable, into one table (<out-dir>/sweep.arrow, and the same as <out-dir>/sweep.parquet)", run: sweepCommand },
  "paper-report": { usage: PAPER_REPORT_USAGE, doc: "LithOS's claims beside ours and every system on every experiment, from compare results (scripts/paper-runs.sh)", run: paperReportCommand },
  figures: { usage: FIGURES_USAGE, doc: "the paper figures of a comparison (p99 bars, tail vs throughput, sweeps, savings) as SVG, PDF and PNG through headless Chromium", run: figuresCommand },
  colocation: { usage: COLOCATION_USAGE, doc: "replay measured co-location scenarios and print simulated next to measured", run: colocationCommand },
  interference: { usage: INTERFERENCE_USAGE, doc: "replay the interference microbenchmark (a service beside a GEMM or a copy, under MPS and green contexts) and print simulated next to measured; --fit writes the loaded-latency curve", run: interferenceCommand },
  coresidency: { usage: CO_RESIDENCY_USAGE, doc: "replay the co-residency microbenchmark (a service beside co-runner blocks on the same SMs) and print simulated next to measured; fits the per-kernel co-resident delay (--fit writes it)", run: coResidencyCommand },
  eligible: { usage: ELIGIBLE_USAGE, doc: "eligible warps per resident warp of each kernel from Nsight Compute scheduler statistics (tools/measure/ncu_issue.sh); --fit writes the table the issue contention reads", run: eligibleCommand },
  stalls: { usage: STALLS_USAGE, doc: "where each profiled region's warps spend their time (share per stall reason) from Nsight Compute warp state statistics (TAG=stall tools/measure/ncu_issue.sh)", run: stallsCommand },
  stacking: { usage: STACKING_USAGE, doc: "replay measured scenarios of several tenants (services open- or closed-loop, training) sharing a GPU and print simulated next to measured, per tenant", run: stackingCommand },
  phases: { usage: PHASES_USAGE, doc: "split a service's requests into waiting for the GPU, on the GPU and back to the host, measured (GPU timer stamps) next to replayed, alone and beside a job (time-sliced, MPS)", run: phasesCommand },
  "cross-gpu": { usage: CROSS_GPU_USAGE, doc: "the timing model's error moving kernels between GPUs, on programs recorded on both, per kernel class; fits the fraction of each class's memory part bound by DRAM bandwidth (--fit writes it)", run: crossGpuCommand },
  "model-error": { usage: MODEL_ERROR_USAGE, doc: "the timing and power model's error on measurements: per workload, cross-validated, against baselines", run: modelErrorCommand },
};

function help(): string {
  const lines = [
    "lithos-replay: replay real GPU traces of several tenants on a simulated shared GPU.",
    "",
    "Usage:",
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.doc}`),
    "",
    "Exit status: 0 success, 2 bad input or usage, 1 internal error.",
  ];
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${help()}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-V") {
    process.stdout.write(`${producer()}\n`);
    return 0;
  }
  const cmd = COMMANDS[command];
  if (!cmd) {
    process.stderr.write(`lithos-replay: unknown command "${command}" (known: ${Object.keys(COMMANDS).join(", ")}; see --help)\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`usage: ${cmd.usage}\n  ${cmd.doc}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof ImportError || e instanceof InputError) {
      process.stderr.write(`lithos-replay: ${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`lithos-replay ${command}: ${e.message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    throw e;
  }
}
