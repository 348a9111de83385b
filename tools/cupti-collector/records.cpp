// CUPTI activity record -> schemas/cupti.proto Record. Field numbers must match schemas/cupti.proto.
//
// Which struct version each kind is read as comes from build.sh, which picks the newest one the installed
// cupti_activity.h declares (CUpti_ActivityKernel10 in CUDA 13.0, Kernel11 in 13.1+; see
// shared/reference/trace-formats.md §2). Newer versions only append fields, so every field read here sits at the
// same offset in the versions that follow.
#include "records.h"

#include <cxxabi.h>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

#include "pbwriter.h"

#ifndef LITHOS_KERNEL_T
#define LITHOS_KERNEL_T CUpti_ActivityKernel9
#define LITHOS_KERNEL_VERSION 9
#endif
#ifndef LITHOS_MEMCPY_T
#define LITHOS_MEMCPY_T CUpti_ActivityMemcpy5
#endif
#ifndef LITHOS_MEMSET_T
#define LITHOS_MEMSET_T CUpti_ActivityMemset4
#endif
#ifndef LITHOS_SYNC_T
#define LITHOS_SYNC_T CUpti_ActivitySynchronization
#endif
#ifndef LITHOS_OVERHEAD_T
#define LITHOS_OVERHEAD_T CUpti_ActivityOverhead
#endif

namespace lithos {
namespace {

// CUPTI_TIMESTAMP_UNKNOWN is 0 in cupti_activity.h; written as 0 (proto3 default) so the reader sees "unknown".
uint64_t ts(uint64_t v) { return v == CUPTI_TIMESTAMP_UNKNOWN ? 0 : v; }

// Field numbers of Record's oneof (schemas/cupti.proto).
enum RecordField : uint32_t { kKernel = 1, kMemcpy = 2, kMemset = 3, kSync = 4, kApi = 5, kOverhead = 6, kDevice = 7, kDropped = 8 };

std::string frameOf(uint32_t field, const PbWriter& body) {
  PbWriter rec;
  rec.message(field, body);
  return rec.delimited();
}

void kernel(const LITHOS_KERNEL_T* k, std::string* out) {
  PbWriter m;
  m.u64(1, ts(k->start)); m.u64(2, ts(k->end)); m.u64(3, ts(k->completed));
  m.u64(4, ts(k->queued)); m.u64(5, ts(k->submitted));
  m.u32(6, k->deviceId); m.u32(7, k->contextId); m.u32(8, k->streamId); m.u32(9, k->correlationId);
  m.i32(10, k->gridX); m.i32(11, k->gridY); m.i32(12, k->gridZ);
  m.i32(13, k->blockX); m.i32(14, k->blockY); m.i32(15, k->blockZ);
  m.u32(16, k->registersPerThread);
  m.i32(17, k->staticSharedMemory); m.i32(18, k->dynamicSharedMemory);
  m.u32(19, k->launchType); m.u32(20, k->graphId); m.u64(21, k->graphNodeId);
  m.str(22, demangle(k->name));
  m.i64(23, k->gridId);
  m.u32(24, k->sharedMemoryExecuted);
  m.u32(25, k->clusterX); m.u32(26, k->clusterY); m.u32(27, k->clusterZ);
  m.u32(28, k->channelID); m.u32(29, k->channelType);
#if LITHOS_KERNEL_VERSION >= 11
  m.i32(30, k->priority);
#endif
  m.u32(31, k->localMemoryPerThread);
  *out = frameOf(kKernel, m);
}

void memcpy_(const LITHOS_MEMCPY_T* c, std::string* out) {
  PbWriter m;
  m.u64(1, ts(c->start)); m.u64(2, ts(c->end)); m.u64(3, c->bytes);
  m.u32(4, c->copyKind); m.u32(5, c->srcKind); m.u32(6, c->dstKind);
  m.u32(7, c->deviceId); m.u32(8, c->contextId); m.u32(9, c->streamId); m.u32(10, c->correlationId);
  m.u32(11, c->graphId); m.u64(12, c->graphNodeId); m.u32(13, c->flags);
  *out = frameOf(kMemcpy, m);
}

void memset_(const LITHOS_MEMSET_T* s, std::string* out) {
  PbWriter m;
  m.u64(1, ts(s->start)); m.u64(2, ts(s->end)); m.u64(3, s->bytes);
  m.u32(4, s->value); m.u32(5, s->memoryKind);
  m.u32(6, s->deviceId); m.u32(7, s->contextId); m.u32(8, s->streamId); m.u32(9, s->correlationId);
  m.u32(10, s->graphId); m.u64(11, s->graphNodeId);
  *out = frameOf(kMemset, m);
}

void sync(const LITHOS_SYNC_T* s, std::string* out) {
  PbWriter m;
  m.u64(1, ts(s->start)); m.u64(2, ts(s->end)); m.u32(3, s->type);
  m.u32(4, s->contextId); m.u32(5, s->streamId); m.u32(6, s->cudaEventId); m.u32(7, s->correlationId);
  *out = frameOf(kSync, m);
}

// cuptiGetCallbackName looks names up in a table; cache them since every API record needs one.
std::string apiName(bool driver, uint32_t cbid) {
  static std::mutex mu;
  static std::unordered_map<uint64_t, std::string> cache;
  std::lock_guard<std::mutex> lock(mu);
  uint64_t key = (static_cast<uint64_t>(driver) << 32) | cbid;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const char* name = nullptr;
  CUpti_CallbackDomain domain = driver ? CUPTI_CB_DOMAIN_DRIVER_API : CUPTI_CB_DOMAIN_RUNTIME_API;
  std::string s = (cuptiGetCallbackName(domain, cbid, &name) == CUPTI_SUCCESS && name) ? name : "";
  cache.emplace(key, s);
  return s;
}

void api(const CUpti_ActivityAPI* a, std::string* out) {
  bool driver = a->kind == CUPTI_ACTIVITY_KIND_DRIVER;
  PbWriter m;
  m.boolean(1, driver); m.u32(2, a->cbid); m.str(3, apiName(driver, a->cbid));
  m.u64(4, ts(a->start)); m.u64(5, ts(a->end));
  m.u32(6, a->processId); m.u32(7, a->threadId); m.u32(8, a->correlationId); m.u32(9, a->returnValue);
  *out = frameOf(kApi, m);
}

void overhead(const LITHOS_OVERHEAD_T* o, std::string* out) {
  PbWriter m;
  m.u32(1, o->overheadKind); m.u32(2, o->objectKind); m.u64(3, ts(o->start)); m.u64(4, ts(o->end));
  *out = frameOf(kOverhead, m);
}

}  // namespace

// Kineto demangles kernel names with abi::__cxa_demangle too, so names compare equal across the two profilers.
// Names that are not mangled C++ (extern "C" kernels, Triton's) fail to demangle and are kept as they are.
std::string demangle(const char* name) {
  if (!name) return "";
  static std::mutex mu;
  static std::unordered_map<std::string, std::string> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  int status = 0;
  char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string s = (status == 0 && d) ? d : name;
  std::free(d);
  cache.emplace(name, s);
  return s;
}

bool encodeRecord(const CUpti_Activity* rec, std::string* frame) {
  switch (rec->kind) {
    case CUPTI_ACTIVITY_KIND_KERNEL:
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
      kernel(reinterpret_cast<const LITHOS_KERNEL_T*>(rec), frame); return true;
    case CUPTI_ACTIVITY_KIND_MEMCPY:
      memcpy_(reinterpret_cast<const LITHOS_MEMCPY_T*>(rec), frame); return true;
    case CUPTI_ACTIVITY_KIND_MEMSET:
      memset_(reinterpret_cast<const LITHOS_MEMSET_T*>(rec), frame); return true;
    case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION:
      sync(reinterpret_cast<const LITHOS_SYNC_T*>(rec), frame); return true;
    case CUPTI_ACTIVITY_KIND_RUNTIME:
    case CUPTI_ACTIVITY_KIND_DRIVER:
      api(reinterpret_cast<const CUpti_ActivityAPI*>(rec), frame); return true;
    case CUPTI_ACTIVITY_KIND_OVERHEAD:
      overhead(reinterpret_cast<const LITHOS_OVERHEAD_T*>(rec), frame); return true;
    default:
      return false;
  }
}

// Header.version and Header.magic: the importer checks both (src/ingest/cupti-stream/messages.ts).
constexpr uint32_t kStreamVersion = 1;
constexpr const char* kMagic = "LITHOS-CUPTI";

std::string encodeHeader(const HeaderFields& f) {
  PbWriter h;
  h.str(1, kMagic); h.u32(2, kStreamVersion); h.u32(3, f.cuptiVersion); h.i32(4, f.driverVersion);
  h.i32(5, f.headerVersion); h.str(6, f.kernelRecord); h.u64(7, f.processId); h.u64(8, f.cuptiStartNs);
  h.u64(9, f.epochStartNs); h.boolean(10, f.latency); h.str(11, "lithos-cupti-collector 1");
  h.boolean(12, true);  // names go through demangle()
  return h.delimited();
}

std::string encodeDevice(const DeviceFields& f) {
  PbWriter d;
  d.u32(1, f.id); d.str(2, f.name); d.u32(3, f.smCount); d.u32(4, f.clockKhz); d.u64(5, f.totalMem);
  d.u32(6, f.major); d.u32(7, f.minor); d.u64(8, f.l2Bytes); d.u32(9, f.memClockKhz); d.u32(10, f.busWidthBits);
  d.u32(11, f.maxThreadsPerSm); d.u32(12, f.regsPerSm); d.u64(13, f.smemPerSm);
  return frameOf(kDevice, d);
}

std::string encodeDropped(uint32_t contextId, uint32_t streamId, uint64_t count) {
  PbWriter m;
  m.u32(1, contextId); m.u32(2, streamId); m.u64(3, count);
  return frameOf(kDropped, m);
}

}  // namespace lithos
