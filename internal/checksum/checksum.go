// Package checksum computes the flexible checksums S3 clients send in x-amz-checksum-* headers and
// trailers: CRC32, CRC32C, CRC64NVME, SHA1 and SHA256, each rendered as base64 of the big-endian digest.
package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// Algorithm names one checksum algorithm as S3 spells it (CRC32, CRC32C, CRC64NVME, SHA1, SHA256).
type Algorithm string

const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
)

// crc64NVMETable uses the reflected form of the NVMe polynomial 0xad93d23594c93659.
var crc64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Algorithms lists every supported algorithm.
var Algorithms = []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}

// FromHeader maps a header or trailer name such as "x-amz-checksum-crc32c" to its algorithm.
func FromHeader(name string) (Algorithm, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	suffix, ok := strings.CutPrefix(name, "x-amz-checksum-")
	if !ok {
		return "", false
	}
	return Parse(suffix)
}

// Parse maps an algorithm name in any case to its Algorithm.
func Parse(s string) (Algorithm, bool) {
	a := Algorithm(strings.ToUpper(s))
	for _, known := range Algorithms {
		if a == known {
			return a, true
		}
	}
	return "", false
}

// Header is the header (and trailer) name that carries this algorithm's value.
func (a Algorithm) Header() string { return "x-amz-checksum-" + strings.ToLower(string(a)) }

// New returns a fresh hash for the algorithm.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoli)
	case CRC64NVME:
		return crc64.New(crc64NVMETable)
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	}
	panic("checksum: unknown algorithm " + string(a))
}

// Sum computes the base64 checksum of b.
func (a Algorithm) Sum(b []byte) string {
	h := a.New()
	h.Write(b)
	return Encode(h)
}

// Encode renders a finished hash the way S3 does: base64 of the big-endian digest.
func Encode(h hash.Hash) string { return base64.StdEncoding.EncodeToString(h.Sum(nil)) }
