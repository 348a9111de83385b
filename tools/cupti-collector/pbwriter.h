// A tiny protobuf wire-format writer: just what schemas/cupti.proto needs (varints, length-delimited fields,
// nested messages). Wire format per https://protobuf.dev/programming-guides/encoding/ ; no libprotobuf, so the
// collector links only CUPTI and the driver.
#pragma once
#include <cstdint>
#include <string>

namespace lithos {

// Wire types (protobuf encoding guide, "Message Structure").
constexpr uint32_t kWireVarint = 0;
constexpr uint32_t kWireLen = 2;

class PbWriter {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) { buf_.push_back(static_cast<char>((v & 0x7f) | 0x80)); v >>= 7; }
    buf_.push_back(static_cast<char>(v));
  }
  void key(uint32_t field, uint32_t wire) { varint((static_cast<uint64_t>(field) << 3) | wire); }

  // proto3 omits scalar fields equal to their default (0), so do we: decoders read a missing field as 0.
  void u64(uint32_t field, uint64_t v) { if (v) { key(field, kWireVarint); varint(v); } }
  void u32(uint32_t field, uint32_t v) { u64(field, v); }
  // int32/int64 negatives are sign-extended to 64 bits and take 10 bytes (encoding guide, "Signed Integers").
  void i64(uint32_t field, int64_t v) { if (v) { key(field, kWireVarint); varint(static_cast<uint64_t>(v)); } }
  void i32(uint32_t field, int32_t v) { i64(field, v); }
  void boolean(uint32_t field, bool v) { if (v) { key(field, kWireVarint); varint(1); } }
  void str(uint32_t field, const std::string& s) {
    if (s.empty()) return;
    key(field, kWireLen); varint(s.size()); buf_.append(s);
  }
  // A nested message is written even when empty: in a oneof, its presence is the information.
  void message(uint32_t field, const PbWriter& inner) {
    key(field, kWireLen); varint(inner.buf_.size()); buf_.append(inner.buf_);
  }
  // This message as one length-delimited frame (varint length, then the bytes), as protobufjs decodeDelimited reads.
  std::string delimited() const {
    PbWriter frame;
    frame.varint(buf_.size());
    return frame.buf_ + buf_;
  }
  const std::string& bytes() const { return buf_; }

 private:
  std::string buf_;
};

}  // namespace lithos
