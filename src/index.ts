/**
 * lithos-replay public API: what notebooks and the CLI import. Re-exports only.
 * @example
 *   import { importTrace, traceInfo } from "lithos-replay";
 *   const trace = await importTrace("traces/resnet50_graph_infer_bs1.pt.trace.json.gz");
 *   traceInfo(trace).kernel_time_ns;
 */
export { importTrace, loadTrace, detectImporter, IMPORTERS, type ImportOptions } from "./ingest";
export { ImportError } from "./ingest/errors";
export { DIAGNOSTIC_CODES } from "./ingest/diagnostics";
export { Trace, TABLE_NAMES, type TraceMeta, type TraceTables } from "./trace/tables";
export { TABLES, SCHEMA_VERSION, type TableName, type TableSpec, type ColumnSpec } from "./trace/schema";
export { readTraceFile, writeTraceFile, traceToBytes, traceFromBytes } from "./trace/io";
export { numberColumn, dictColumn, rowsOf } from "./trace/access";
export { traceProtoRoot, recordType } from "./trace/proto";
export { traceInfo, type TraceInfo, type KernelSummary } from "./analysis/trace-info";
export { topKernelsFrame, tableRowsFrame, compareFrame, danfojs } from "./analysis/frames";
export { kernelBreakdownFigure } from "./plot/kernel-breakdown";
export { figureToHtml, type PlotlyFigure } from "./plot/figure";
export { compareFigure, sweepFigure, savingsFigure, type SweepMetric } from "./plot/compare";
export { gpuSpec, specForDeviceName, GPU_SPECS, mpsSmsForPercentage, type GpuSpec, type MigProfile } from "./gpu/specs";
export { blocksPerSm, waves, type Occupancy } from "./gpu/occupancy";
export { predictKernelUs, type TimingCalibration, type RecordedKernel, type RunOn, type RecordedOn } from "./gpu/timing";
export { classifyKernel, type KernelClass } from "./gpu/kernel-class";
export { calibrationFor, readCalibration, type Calibration } from "./gpu/calibration";
export { fitTiming, modelError, baselineErrors, crossValidate, recorded } from "./gpu/fit-timing";
export { kernelCurvesFromCsv, type KernelCurve } from "./gpu/measurements";
export { boardPowerW, cappedClockMHz, energyJ, powerParamsFor, type PowerParams, type PowerLoad } from "./gpu/power";
export { parseMicroCsv, evaluatePowerParams } from "./gpu/power-fit";
export { modelErrorReport, type ModelErrorReport } from "./analysis/model-error";
export { replay, arrivalsFor, type ScenarioSpec, type TenantSpec, type ArrivalSpec, type ReplayResult } from "./replay";
export { simulate, type SimOptions, type SimResult, type SimTenant, type SimTenantResult } from "./sim/engine";
export { aloneClockMHz } from "./sim/recorded-clock";
export { POLICIES, POLICY_NAMES, policyEntry, type Policy, type SchedulerView, type KernelWork } from "./policies";
export { loadWorkload, extractWorkload, type ExtractOptions } from "./workload/extract";
export { poissonArrivals, uniformArrivals, arrivalsFromFile } from "./workload/arrivals";
export { parseExperiment, type ExperimentSpec, type SweepSpec } from "./workload/experiment";
export type { Workload } from "./workload/workload";
export { summarize, type ReplaySummary, type ServiceSummary, type JobSummary } from "./metrics/summary";
export { latencyStats, percentileSorted } from "./metrics/latency";
export { colocationValidation, readMeasuredColocation, COLOCATION_SCENARIOS, type ColocationRow } from "./analysis/colocation";
export {
  compareSystems, aloneSpec, aloneSlos, flatCompareRow, DEFAULT_SLO_X,
  type CompareOptions, type CompareResult, type CompareRow, type ServiceCell, type JobCell, type AloneRow,
} from "./analysis/compare";
export { parseSweepOption, sweepPoints, applyPoint, pointLabel, type SweepPoint } from "./analysis/sweep";
export {
  inferenceStackingClaims, hybridStackingClaims, holBlockingClaims, savingsClaims, bestPrior, PRIOR_SYSTEMS, type ClaimRow,
} from "./analysis/paper-claims";
export { runSweep, type SweepOptions, type SweepOutcome, type SweepProgress } from "./sweep/run";
export { parseSweepPlan, pointScenario, type SweepPlan, type PlanPoint } from "./sweep/plan";
export { rowsTable as sweepRowsTable, SWEEP_COLUMNS, type SweepRow } from "./sweep/rows";
export { readPaperResults, paperReport, claimsTable, experimentTables, type PaperResults } from "./analysis/paper-report";
