"""Counts the records of a lithos CUPTI stream by kind (schemas/cupti.proto Record oneof field numbers), no protobuf needed."""
import sys
KINDS = {1: 'kernel', 2: 'memcpy', 3: 'memset', 4: 'sync', 5: 'api', 6: 'overhead', 7: 'device', 8: 'dropped'}
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i
data = open(sys.argv[1], 'rb').read()
n, i = varint(data, 0); header = data[i:i + n]; i += n
counts = {}
while i < len(data):
    n, i = varint(data, i); key, _ = varint(data, i); i += n
    k = KINDS.get(key >> 3, f'field{key >> 3}'); counts[k] = counts.get(k, 0) + 1
print(sys.argv[1], len(data), 'bytes; header', len(header), 'bytes; records', counts)
