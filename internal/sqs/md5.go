package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strings"
)

// md5Hex is the lowercase hex MD5 of b.
func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is SQS's digest of message attributes (also used for system attributes): for
// each attribute in name order, the length-prefixed name, the length-prefixed data type, one
// transport byte (1 for String and Number types, 2 for Binary) and the length-prefixed value.
// Lengths are 4-byte big-endian. Empty maps have no digest.
func md5OfAttributes(attrs map[string]MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	h := md5.New()
	for _, name := range sortedKeys(attrs) {
		v := attrs[name]
		writeField(h, []byte(name))
		writeField(h, []byte(v.DataType))
		if isBinary(v.DataType) {
			h.Write([]byte{2})
			writeField(h, v.BinaryValue)
		} else {
			h.Write([]byte{1})
			writeField(h, []byte(deref(v.StringValue)))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeField(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}

func isBinary(dataType string) bool {
	return dataType == "Binary" || strings.HasPrefix(dataType, "Binary.")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
