/** The measured co-location's two workloads, loaded by the package: the ResNet-50 graph service and ResNet-50 training (H200 fixtures). */
import * as path from "node:path";
import { loadWorkload } from "../../src/workload/extract";
import type { Workload } from "../../src/workload/workload";
import { H200 } from "./fixtures";

export async function loadColocationWorkloads(): Promise<{ service: Workload; job: Workload }> {
  return {
    service: await loadWorkload(path.join(H200, "resnet50_graph_infer_bs1.pt.trace.json.gz")),
    job: await loadWorkload(path.join(H200, "resnet50_colo_train_bs64.pt.trace.json.gz")),
  };
}
