package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// AccessKeyWriter returns a write function that stores one new access key (a single-row durable
// write) per call, in an account it creates first.
func AccessKeyWriter(ctx context.Context, st store.Store, prefix string) (func(context.Context, int64) error, error) {
	account := "999999999999"
	if err := st.CreateAccount(ctx, store.Account{ID: account, Name: "bench", Created: time.Now()}); err != nil && !isExists(err) {
		return nil, err
	}
	return func(ctx context.Context, i int64) error {
		return st.PutAccessKey(ctx, store.AccessKey{ID: fmt.Sprintf("%s%012d", prefix, i), Secret: "s", Account: account,
			PrincipalARN: "arn:aws:iam::999999999999:root", UserID: account, Created: time.Now()})
	}, nil
}

func isExists(err error) bool { return errors.Is(err, store.ErrExists) }

// SQLiteWrites measures durable single-row writes on a fresh SQLite store in dir, with group commit
// (maxBatch 256) or one fsync per write (maxBatch 1).
func SQLiteWrites(ctx context.Context, dir string, maxBatch, writers int, d time.Duration) (Writes, error) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("bench-%d.db", maxBatch)), sqlite.Options{MaxBatch: maxBatch})
	if err != nil {
		return Writes{}, err
	}
	defer st.Close()
	write, err := AccessKeyWriter(ctx, st, "AKIAB")
	if err != nil {
		return Writes{}, err
	}
	return StoreWrites(ctx, writers, d, write)
}
