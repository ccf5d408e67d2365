package postgres

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/storetest"
)

// DSNEnv names the variable that holds the PostgreSQL DSN for tests.
const DSNEnv = "GUREUM_TEST_POSTGRES"

func TestMain(m *testing.M) {
	if os.Getenv(DSNEnv) == "" {
		fmt.Println("NOTICE: " + DSNEnv + " is not set; the PostgreSQL store suite is skipped.")
	}
	os.Exit(m.Run())
}

// schemas numbers the schemas of one run: the suite's tests run in parallel.
var schemas atomic.Int64

func TestConformance(t *testing.T) {
	dsn := os.Getenv(DSNEnv)
	if dsn == "" {
		t.Skip(DSNEnv + " is not set")
	}
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		schema := fmt.Sprintf("gureum_test_%d_%d", time.Now().UnixNano(), schemas.Add(1))
		t.Cleanup(func() {
			db, err := Open(context.Background(), dsn, Options{})
			if err == nil {
				db.DropSchema(context.Background(), schema)
				db.Close()
			}
		})
		return func() (store.Store, error) { return Open(context.Background(), dsn, Options{Schema: schema}) }
	})
}
