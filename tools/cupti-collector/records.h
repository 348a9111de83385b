// Encodes one CUPTI activity record as a schemas/cupti.proto Record. Returns false for kinds the stream does not carry.
#pragma once
#include <cupti.h>
#include <string>

namespace lithos {
bool encodeRecord(const CUpti_Activity* rec, std::string* frame);
std::string encodeDropped(uint32_t contextId, uint32_t streamId, uint64_t count);
std::string demangle(const char* name);

// schemas/cupti.proto Header, the first message of every stream.
struct HeaderFields {
  uint32_t cuptiVersion = 0; int32_t driverVersion = 0; int32_t headerVersion = 0; std::string kernelRecord;
  uint64_t processId = 0; uint64_t cuptiStartNs = 0; uint64_t epochStartNs = 0; bool latency = false;
};
std::string encodeHeader(const HeaderFields& h);

// schemas/cupti.proto Device (Record field 7), from driver attributes.
struct DeviceFields {
  uint32_t id = 0; std::string name; uint32_t smCount = 0, clockKhz = 0; uint64_t totalMem = 0;
  uint32_t major = 0, minor = 0; uint64_t l2Bytes = 0; uint32_t memClockKhz = 0, busWidthBits = 0;
  uint32_t maxThreadsPerSm = 0, regsPerSm = 0; uint64_t smemPerSm = 0;
};
std::string encodeDevice(const DeviceFields& d);
}  // namespace lithos
