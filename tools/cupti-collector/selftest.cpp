// Writes a stream through the collector's own encoders (records.cpp) from hand-filled CUPTI record structs, with no
// GPU: test/ingest/cupti-stream.test.ts imports the result (tools/cupti-collector/selftest.cupti.pb) to check that the
// hand-written protobuf encoding matches schemas/cupti.proto as protobufjs reads it. Built and run by selftest.sh.
#include <cstdio>
#include <cstring>
#include <string>

#include "records.h"

#ifndef LITHOS_KERNEL_T
#define LITHOS_KERNEL_T CUpti_ActivityKernel10
#define LITHOS_MEMCPY_T CUpti_ActivityMemcpy6
#define LITHOS_MEMSET_T CUpti_ActivityMemset4
#define LITHOS_SYNC_T CUpti_ActivitySynchronization2
#endif

// A CUPTI timestamp above 2^53 and an int32 field below 0, the cases a careless varint writer gets wrong.
constexpr uint64_t kT0 = 1765000000000000123ull;

int main(int argc, char** argv) {
  std::string out;
  lithos::HeaderFields h;
  h.cuptiVersion = 130001; h.driverVersion = 13000; h.headerVersion = 13000; h.kernelRecord = "selftest";
  h.processId = 4242; h.cuptiStartNs = kT0; h.epochStartNs = 1765000000500000000ull; h.latency = true;
  out += lithos::encodeHeader(h);
  std::string frame;

  LITHOS_KERNEL_T k;
  std::memset(&k, 0, sizeof k);
  k.kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
  k.start = kT0 + 1000; k.end = kT0 + 3500; k.completed = kT0 + 3600; k.queued = kT0 + 400; k.submitted = kT0 + 600;
  k.deviceId = 0; k.contextId = 1; k.streamId = 7; k.correlationId = 11;
  k.gridX = 132; k.gridY = 2; k.gridZ = -1; k.blockX = 256; k.blockY = 1; k.blockZ = 1;
  k.registersPerThread = 40; k.staticSharedMemory = 1024; k.dynamicSharedMemory = 49152;
  k.launchType = CUPTI_ACTIVITY_LAUNCH_TYPE_COOPERATIVE_SINGLE_DEVICE; k.graphId = 3; k.graphNodeId = 12884901889ull;
  k.name = "_Z4gemmPfi";
  lithos::encodeRecord(reinterpret_cast<CUpti_Activity*>(&k), &frame); out += frame;

  LITHOS_MEMCPY_T c;
  std::memset(&c, 0, sizeof c);
  c.kind = CUPTI_ACTIVITY_KIND_MEMCPY; c.copyKind = CUPTI_ACTIVITY_MEMCPY_KIND_DTOH;
  c.srcKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE; c.dstKind = CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE;
  c.bytes = 5000000000ull; c.start = kT0 + 4000; c.end = kT0 + 9000; c.contextId = 1; c.streamId = 7; c.correlationId = 12;
  lithos::encodeRecord(reinterpret_cast<CUpti_Activity*>(&c), &frame); out += frame;

  LITHOS_MEMSET_T s;
  std::memset(&s, 0, sizeof s);
  s.kind = CUPTI_ACTIVITY_KIND_MEMSET; s.value = 0x5a; s.bytes = 123457; s.memoryKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
  s.start = kT0 + 9500; s.end = kT0 + 9600; s.contextId = 1; s.streamId = 7; s.correlationId = 13;
  lithos::encodeRecord(reinterpret_cast<CUpti_Activity*>(&s), &frame); out += frame;

  LITHOS_SYNC_T y;
  std::memset(&y, 0, sizeof y);
  y.kind = CUPTI_ACTIVITY_KIND_SYNCHRONIZATION; y.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE;
  y.start = kT0 + 9700; y.end = kT0 + 9800; y.contextId = 1; y.streamId = CUPTI_SYNCHRONIZATION_INVALID_VALUE;
  y.cudaEventId = CUPTI_SYNCHRONIZATION_INVALID_VALUE; y.correlationId = 14;
  lithos::encodeRecord(reinterpret_cast<CUpti_Activity*>(&y), &frame); out += frame;

  CUpti_ActivityAPI a;
  std::memset(&a, 0, sizeof a);
  a.kind = CUPTI_ACTIVITY_KIND_RUNTIME; a.cbid = CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000;
  a.start = kT0 + 200; a.end = kT0 + 300; a.processId = 4242; a.threadId = 99; a.correlationId = 11;
  lithos::encodeRecord(reinterpret_cast<CUpti_Activity*>(&a), &frame); out += frame;

  out += lithos::encodeDropped(1, 7, 2);
  lithos::DeviceFields d;
  d.id = 0; d.name = "selftest GPU"; d.smCount = 132; d.clockKhz = 1980000; d.totalMem = 150000000000ull;
  d.major = 9; d.minor = 0; d.memClockKhz = 3201000; d.busWidthBits = 6144;
  out += lithos::encodeDevice(d);

  FILE* f = std::fopen(argc > 1 ? argv[1] : "selftest.cupti.pb", "wb");
  if (!f) return 1;
  std::fwrite(out.data(), 1, out.size(), f);
  return std::fclose(f) == 0 ? 0 : 1;
}
