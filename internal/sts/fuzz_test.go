package sts

import (
	"bytes"
	"context"
	"encoding/base64"
	"path/filepath"
	"testing"

	"github.com/gureum/gureum/internal/store/sqlite"
)

// FuzzOpenToken holds the sealed-record decoder to its contract: anything but a record this
// server sealed fails to open, without panicking.
func FuzzOpenToken(f *testing.F) {
	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	var s sealer
	if err := s.init(context.Background(), st); err != nil {
		f.Fatal(err)
	}
	good, _ := s.seal("session", tokenRecord{AccessKeyID: "ASIAEXAMPLE", Secret: "secret"})
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, token string) {
		var rec tokenRecord
		if err := s.open("session", token, &rec); err == nil {
			a, _ := base64.StdEncoding.DecodeString(token)
			b, _ := base64.StdEncoding.DecodeString(good)
			if !bytes.Equal(a, b) {
				t.Errorf("open(%q) succeeded", token)
			}
		}
	})
}
