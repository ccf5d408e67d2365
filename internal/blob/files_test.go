package blob_test

import (
	"testing"

	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/blob/blobtest"
)

func TestFiles(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blobtest.Store { return newFiles(t) })
}

func BenchmarkFiles(b *testing.B) { blobtest.Bench(b, newFiles(b)) }

func newFiles(t testing.TB) *blob.Files {
	f, err := blob.NewFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return f
}
