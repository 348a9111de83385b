/** Workloads: a trace's host program cut into units of work (extract), and when those units arrive (arrivals). */
export * from "./workload";
export { extractWorkload, loadWorkload, workloadName, type ExtractOptions, type SplitOption } from "./extract";
export { poissonArrivals, uniformArrivals, arrivalsFromFile, parseArrivals } from "./arrivals";
export { findPeriod, findPeriods } from "./period";
