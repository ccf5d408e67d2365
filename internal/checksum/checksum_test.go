package checksum

import (
	"encoding/base64"
	"encoding/hex"
	"testing"
)

// The check values are the CRC catalogue's digests of "123456789"; the SHA values are the FIPS ones.
func TestSum(t *testing.T) {
	tests := []struct {
		alg  Algorithm
		in   string
		want string // hex
	}{
		{CRC32, "123456789", "cbf43926"},
		{CRC32C, "123456789", "e3069283"},
		{CRC64NVME, "123456789", "ae8b14860a799888"},
		{SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		raw, _ := hex.DecodeString(tt.want)
		if got, want := tt.alg.Sum([]byte(tt.in)), base64.StdEncoding.EncodeToString(raw); got != want {
			t.Errorf("%s.Sum(%q) = %s; want %s", tt.alg, tt.in, got, want)
		}
	}
	if got := CRC32.Sum(nil); got != "AAAAAA==" {
		t.Errorf("CRC32.Sum(empty) = %s; want AAAAAA==", got)
	}
}

func TestFromHeader(t *testing.T) {
	for _, a := range Algorithms {
		if got, ok := FromHeader(a.Header()); !ok || got != a {
			t.Errorf("FromHeader(%q) = %q, %v", a.Header(), got, ok)
		}
	}
	if _, ok := FromHeader("x-amz-checksum-md5"); ok {
		t.Error("FromHeader(md5) accepted")
	}
}
