package postgres

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/blob/blobtest"
)

// openBlobsDB opens a fresh schema for the blob tests, or skips without PostgreSQL.
func openBlobsDB(t testing.TB) *DB {
	dsn := os.Getenv(DSNEnv)
	if dsn == "" {
		t.Skip(DSNEnv + " is not set")
	}
	schema := fmt.Sprintf("gureum_test_%d_%d", time.Now().UnixNano(), schemas.Add(1))
	db, err := Open(context.Background(), dsn, Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.DropSchema(context.Background(), schema)
		db.Close()
	})
	return db
}

// TestBlobs runs the blob store suite on PostgreSQL, each test in its own space of one schema
// (a space's Sweep sees only its own blobs).
func TestBlobs(t *testing.T) {
	db := openBlobsDB(t)
	n := 0
	blobtest.Run(t, func(t *testing.T) blobtest.Store {
		n++
		return db.Blobs(fmt.Sprintf("test%d", n))
	})
}

// TestBlobSpaces: a blob of one space is not seen, deleted or swept through another.
func TestBlobSpaces(t *testing.T) {
	db := openBlobsDB(t)
	ctx := context.Background()
	s3, fns := db.Blobs("s3"), db.Blobs("lambda")
	ref, _, err := fns.Put(ctx, strings.NewReader("code"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.Open(ctx, ref); err == nil {
		t.Error("Open through another space found the blob")
	}
	s3.Delete(ctx, ref)
	if n, err := s3.Sweep(ctx, time.Now().Add(time.Hour), time.Minute, func(r blob.Ref) (bool, error) { return false, nil }); err != nil || n != 0 {
		t.Errorf("another space's Sweep = %d, %v; want 0", n, err)
	}
	r, err := fns.Open(ctx, ref)
	if err != nil {
		t.Fatalf("Open in its own space after the other's Delete and Sweep: %v", err)
	}
	r.Close()
}

func BenchmarkBlobs(b *testing.B) { blobtest.Bench(b, openBlobsDB(b).Blobs("bench")) }

// TestBlobSweepDropsDeleted: a deleted blob's chunks stay for open readers until a Sweep minAge
// after the Delete, through any space's Sweep.
func TestBlobSweepDropsDeleted(t *testing.T) {
	db := openBlobsDB(t)
	ctx := context.Background()
	fns := db.Blobs("lambda")
	ref, _, err := fns.Put(ctx, strings.NewReader(strings.Repeat("z", 2*ChunkSize+1)))
	if err != nil {
		t.Fatal(err)
	}
	chunks := func() int {
		var n int
		if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM blob_chunks WHERE ref = $1`, string(ref)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := fns.Delete(ctx, ref); err != nil {
		t.Fatal(err)
	}
	none := func(blob.Ref) (bool, error) { return false, nil }
	if _, err := db.Blobs("s3").Sweep(ctx, time.Now(), time.Hour, none); err != nil || chunks() != 3 {
		t.Errorf("chunks after a Sweep within the hour = %d, %v; want 3", chunks(), err)
	}
	if _, err := db.Blobs("s3").Sweep(ctx, time.Now().Add(2*time.Hour), time.Hour, none); err != nil || chunks() != 0 {
		t.Errorf("chunks after a Sweep two hours on = %d, %v; want 0", chunks(), err)
	}
}
