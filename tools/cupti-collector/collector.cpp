// lithos CUPTI collector: an injection library. The CUDA driver loads the library named by CUDA_INJECTION64_PATH
// during cuInit and calls its InitializeInjection (CUPTI docs, "CUPTI Injection"). We enable the activity kinds,
// hand CUPTI buffers, and append every completed record to LITHOS_CUPTI_OUT as a schemas/cupti.proto stream.
#include <cuda.h>
#include <cupti.h>
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>

#include "pbwriter.h"
#include "records.h"

#ifndef LITHOS_KERNEL_NAME
#define LITHOS_KERNEL_NAME "CUpti_ActivityKernel9"
#endif

namespace {

// 8 MiB buffers: CUPTI's own samples use 8 MiB; large enough that a ResNet step fits in a few buffers.
constexpr size_t kBufferBytes = 8u << 20;
// CUPTI requires activity buffers aligned to 8 bytes (cupti_activity.h, CUpti_BuffersCallbackRequestFunc).
constexpr size_t kAlign = 8;

std::mutex g_mu;            // guards g_out: CUPTI completes buffers on its own thread
FILE* g_out = nullptr;
std::atomic<uint64_t> g_records{0};
std::atomic<uint64_t> g_dropped{0};
std::atomic<bool> g_done{false};

// The few driver functions the collector calls, looked up in the libcuda.so.1 that loaded us. Linking them instead
// needs a libcuda stub at build time (not every toolkit has one), and leaving them undefined resolves them only if
// libcuda.so.1 was loaded with RTLD_GLOBAL, which the CUDA runtime does not promise.
struct Driver {
  CUresult (*driverGetVersion)(int*) = nullptr;
  CUresult (*deviceGetCount)(int*) = nullptr;
  CUresult (*deviceGet)(CUdevice*, int) = nullptr;
  CUresult (*deviceGetName)(char*, int, CUdevice) = nullptr;
  CUresult (*deviceGetAttribute)(int*, CUdevice_attribute, CUdevice) = nullptr;
  CUresult (*deviceTotalMem)(size_t*, CUdevice) = nullptr;
  bool ok = false;
} g_drv;

template <typename F>
bool lookup(void* lib, const char* name, F* fn) {
  *fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!*fn) std::fprintf(stderr, "lithos-cupti: %s not found in libcuda.so.1\n", name);
  return *fn != nullptr;
}

void loadDriver() {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);  // already in the process: it is loading us
  if (!lib) lib = dlopen("libcuda.so.1", RTLD_NOW);
  if (!lib) { std::fprintf(stderr, "lithos-cupti: libcuda.so.1: %s\n", dlerror()); return; }
  bool ok = lookup(lib, "cuDriverGetVersion", &g_drv.driverGetVersion);
  ok &= lookup(lib, "cuDeviceGetCount", &g_drv.deviceGetCount);
  ok &= lookup(lib, "cuDeviceGet", &g_drv.deviceGet);
  ok &= lookup(lib, "cuDeviceGetName", &g_drv.deviceGetName);
  ok &= lookup(lib, "cuDeviceGetAttribute", &g_drv.deviceGetAttribute);
  ok &= lookup(lib, "cuDeviceTotalMem_v2", &g_drv.deviceTotalMem);  // cuda.h maps cuDeviceTotalMem to _v2
  g_drv.ok = ok;
}

void check(CUptiResult r, const char* what) {
  if (r == CUPTI_SUCCESS) return;
  const char* msg = nullptr;
  cuptiGetResultString(r, &msg);
  std::fprintf(stderr, "lithos-cupti: %s failed: %s\n", what, msg ? msg : "?");
}

void writeFrame(const std::string& frame) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_out) std::fwrite(frame.data(), 1, frame.size(), g_out);
}

void CUPTIAPI bufferRequested(uint8_t** buffer, size_t* size, size_t* maxNumRecords) {
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(kAlign, kBufferBytes));
  *size = *buffer ? kBufferBytes : 0;
  *maxNumRecords = 0;  // 0: as many records as fit
}

void CUPTIAPI bufferCompleted(CUcontext ctx, uint32_t streamId, uint8_t* buffer, size_t, size_t validSize) {
  CUpti_Activity* rec = nullptr;
  std::string frame, batch;
  uint64_t n = 0;
  while (cuptiActivityGetNextRecord(buffer, validSize, &rec) == CUPTI_SUCCESS) {
    if (lithos::encodeRecord(rec, &frame)) { batch += frame; ++n; }
  }
  size_t dropped = 0;
  if (cuptiActivityGetNumDroppedRecords(ctx, streamId, &dropped) == CUPTI_SUCCESS && dropped > 0) {
    uint32_t ctxId = 0;
    if (ctx) cuptiGetContextId(ctx, &ctxId);
    batch += lithos::encodeDropped(ctxId, streamId, dropped);
    g_dropped += dropped;
  }
  writeFrame(batch);
  g_records += n;
  std::free(buffer);
}

// Device properties from the driver at exit (the driver is initialised by then; calling it from inside
// InitializeInjection, i.e. inside cuInit, is not allowed).
void writeDevices() {
  int count = 0;
  if (!g_drv.ok || g_drv.deviceGetCount(&count) != CUDA_SUCCESS) return;
  for (int i = 0; i < count; ++i) {
    CUdevice dev;
    if (g_drv.deviceGet(&dev, i) != CUDA_SUCCESS) continue;
    char name[256] = {0};
    g_drv.deviceGetName(name, sizeof name, dev);
    auto attr = [&](CUdevice_attribute a) { int v = 0; g_drv.deviceGetAttribute(&v, a, dev); return static_cast<uint32_t>(v); };
    size_t mem = 0;
    g_drv.deviceTotalMem(&mem, dev);
    lithos::DeviceFields d;
    d.id = static_cast<uint32_t>(i);
    d.name = name;
    d.smCount = attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    d.clockKhz = attr(CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
    d.totalMem = mem;
    d.major = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    d.minor = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    d.l2Bytes = attr(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
    d.memClockKhz = attr(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
    d.busWidthBits = attr(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
    d.maxThreadsPerSm = attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR);
    d.regsPerSm = attr(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR);
    d.smemPerSm = attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR);
    writeFrame(lithos::encodeDevice(d));
  }
}

void atExit() {
  if (g_done.exchange(true)) return;
  // FLUSH_FORCED also returns buffers that still hold records of unfinished work, so nothing is lost at exit.
  check(cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED), "cuptiActivityFlushAll");
  writeDevices();
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_out) { std::fclose(g_out); g_out = nullptr; }
  std::fprintf(stderr, "lithos-cupti: %llu records, %llu dropped\n",
               static_cast<unsigned long long>(g_records.load()), static_cast<unsigned long long>(g_dropped.load()));
}

uint64_t realtimeNs() {
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int InitializeInjection(void) {
  const char* path = std::getenv("LITHOS_CUPTI_OUT");
  std::string file = path && *path ? path : "lithos-cupti-" + std::to_string(getpid()) + ".pb";
  g_out = std::fopen(file.c_str(), "wb");
  if (!g_out) { std::perror(("lithos-cupti: " + file).c_str()); return 0; }

  const CUpti_ActivityKind kinds[] = {
      CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMSET,
      CUPTI_ACTIVITY_KIND_SYNCHRONIZATION, CUPTI_ACTIVITY_KIND_RUNTIME, CUPTI_ACTIVITY_KIND_DRIVER,
      CUPTI_ACTIVITY_KIND_OVERHEAD,
  };
  check(cuptiActivityRegisterCallbacks(bufferRequested, bufferCompleted), "cuptiActivityRegisterCallbacks");
  for (CUpti_ActivityKind k : kinds) check(cuptiActivityEnable(k), "cuptiActivityEnable");
  // queued/submitted are only collected with latency timestamps on (cupti_activity.h, CUpti_ActivityKernel*.queued).
  bool latency = cuptiActivityEnableLatencyTimestamps(1) == CUPTI_SUCCESS;

  uint32_t cuptiVersion = 0;
  cuptiGetVersion(&cuptiVersion);
  loadDriver();
  int driverVersion = 0;
  if (g_drv.driverGetVersion) g_drv.driverGetVersion(&driverVersion);  // documented as callable before cuInit
  uint64_t cuptiNow = 0;
  cuptiGetTimestamp(&cuptiNow);
  uint64_t epochNow = realtimeNs();

  lithos::HeaderFields h;
  h.cuptiVersion = cuptiVersion;
  h.driverVersion = driverVersion;
  h.headerVersion = CUDA_VERSION;
  h.kernelRecord = LITHOS_KERNEL_NAME;
  h.processId = static_cast<uint64_t>(getpid());
  h.cuptiStartNs = cuptiNow;
  h.epochStartNs = epochNow;
  h.latency = latency;
  writeFrame(lithos::encodeHeader(h));
  std::atexit(atExit);
  return 1;
}
