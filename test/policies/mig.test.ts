/** MIG: instances from profiles, and tenants grouped into one instance. */
import { describe, expect, it } from "vitest";
import { gpuSpec } from "../../src/gpu/specs";
import { makeMig, migGroups } from "../../src/policies/mig";
import type { TenantView } from "../../src/policies/policy";

const h200 = gpuSpec("h200");
const views = (n: number): TenantView[] =>
  Array.from({ length: n }, (_, i) => ({ index: i, name: `t${i}`, role: i < n - 1 ? "service" : "job", priority: 0, smLimit: null, pool: 0, quota: null }));

describe("mig", () => {
  it("gives each tenant its own instance by default", () => {
    const { pools, tenantPool } = makeMig({ profiles: ["4g", "3g"] }).pools!(h200, views(2));
    expect(tenantPool).toEqual([0, 1]);
    expect(pools.map((p) => p.name)).toEqual(["4g.71gb", "3g.71gb"]);
  });

  it("puts tenants of one instance group into one pool, the profile named by any of them", () => {
    const { pools, tenantPool } = makeMig({ profiles: ["4g", "3g", ""], instances: [0, 1, 1] }).pools!(h200, views(3));
    expect(tenantPool).toEqual([0, 1, 1]);
    expect(pools.map((p) => p.name)).toEqual(["4g.71gb", "3g.71gb"]);
    expect(pools[0]!.smCount + pools[1]!.smCount).toBeLessThanOrEqual(h200.smCount);
  });

  it("numbers instances in order of first appearance and falls back to the even layout of that many", () => {
    expect(migGroups(3, [7, 2, 7])).toEqual({ tenantPool: [0, 1, 0], members: [[0, 2], [1]] });
    const { pools } = makeMig({ instances: [5, 5, 9] }).pools!(h200, views(3));
    expect(pools.map((p) => p.name)).toEqual(["4g.71gb", "3g.71gb"]);
  });

  it("refuses tenants of one instance naming different profiles, and an instance with none", () => {
    expect(() => makeMig({ profiles: ["4g", "3g", "2g"], instances: [0, 1, 1] }).pools!(h200, views(3))).toThrow(/different profiles/);
    expect(() => makeMig({ profiles: ["4g", "", ""], instances: [0, 1, 1] }).pools!(h200, views(3))).toThrow(/has no profile/);
  });
});
