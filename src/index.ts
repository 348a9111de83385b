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
export { topKernelsFrame, tableRowsFrame, compareFrame, danfojs, analysisOf, type Analysis } from "./analysis/frames";
export { temporalBreakdown, COMMUNICATION_KERNEL, type TemporalRow } from "./analysis/temporal-breakdown";
export { idleTimeBreakdown, type IdleRow, type IdleOptions } from "./analysis/idle-time";
export { kernelLaunchStats, type LaunchRow, type LaunchStats, type LaunchOptions } from "./analysis/launch-stats";
export { compareTraces, type DiffRow, type TraceDiff } from "./analysis/trace-diff";
export { iterationTimeline, type IterationRow } from "./analysis/iterations";
export { rightSizingCurves, type CurveRow } from "./analysis/right-sizing-curves";
export { latencyCdfs, smOccupancy, powerOverTime, type LatencyRow, type OccupancyRow, type PowerRow } from "./analysis/replay-views";
export { kernelBreakdownFigure } from "./plot/kernel-breakdown";
export { figureToHtml, type PlotlyFigure } from "./plot/figure";
export { compareFigure, sweepFigure, savingsFigure, type SweepMetric, type FigureOptions, type SavingsOptions } from "./plot/compare";
export { p99BarsFigure } from "./plot/p99-bars";
export { compareFigureSet, type NamedFigure } from "./plot/figure-set";
export {
  paperStyle, systemStyle, systemColor, logAxis, SYSTEM_STYLES, TOL_MUTED, PAPER_SIZES, FONT_FAMILY,
  type Columns, type SystemStyle, type PaperStyleOptions,
} from "./plot/style";
export { saveFigure, save, renderFigures, FigureRenderer, type ExportFormat, type ExportOptions, type RenderedFigure } from "./plot/export";
export { ChromiumMissingError } from "./plot/chromium";
export { show, figureBundle, PLOTLY_MIME } from "./plot/notebook";
export { gpuSpec, specForDeviceName, GPU_SPECS, mpsSmsForPercentage, type GpuSpec, type MigProfile } from "./gpu/specs";
export { blocksPerSm, waves, type Occupancy } from "./gpu/occupancy";
export { predictKernelUs, prepareKernel, preparedUs, type PreparedKernel, type TimingCalibration, type RecordedKernel, type RunOn, type RecordedOn } from "./gpu/timing";
export { classifyKernel, type KernelClass } from "./gpu/kernel-class";
export { calibrationFor, readCalibration, type Calibration } from "./gpu/calibration";
export { fitTiming, modelError, baselineErrors, crossValidate, recorded } from "./gpu/fit-timing";
export { fitCrossGpu, type CrossGpuFit, type CrossGpuClassRow, type RecordedPair } from "./gpu/fit-cross-gpu";
export { buildMeasuredCurves, lookupResidual, type MeasuredCurves } from "./gpu/measured-curves";
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
export { queueingSplit, type QueueingSplit } from "./metrics/queueing";
export { PythonRandom } from "./util/python-random";
export { colocationValidation, readMeasuredColocation, labArrivalsUs, COLOCATION_SCENARIOS, type ColocationRow } from "./analysis/colocation";
export { stackingValidation, readMeasuredStacking, STACKING_SCENARIOS, type StackingRow, type MeasuredTenant } from "./analysis/stacking";
export { phaseValidation, measuredPhases, simulatedPhases, summarizePhases, STAMPED_SCENARIOS, type PhaseRow, type PhaseSummary, type RequestPhases } from "./analysis/request-phases";
export { interferenceConditions, loadedLatencyCurve, readInterferenceSweep, type InterferenceCondition, type InterferenceSweep } from "./analysis/interference";
export { loadedLatencySlowdown, type LoadedLatencyCurve } from "./sim/memory-load";
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
