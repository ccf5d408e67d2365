// Package bench measures gureum on the machine it runs on: start-up time and idle memory of the
// binary, request latency and throughput, and durable store writes. gureum-bench (Main; `gureum
// bench` runs it) prints its figures as a table; the Go benchmarks use the same measurements.
package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Latencies summarises a set of request durations.
type Latencies struct {
	N        int
	P50, P99 time.Duration
	PerSec   float64 // completed requests per second of wall time
}

func summarize(d []time.Duration, wall time.Duration) Latencies {
	if len(d) == 0 {
		return Latencies{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return Latencies{N: len(d), P50: d[len(d)/2], P99: d[len(d)*99/100], PerSec: float64(len(d)) / wall.Seconds()}
}

// Caller sends signed GetCallerIdentity requests (query protocol) to an endpoint. It signs each
// request with the aws-sdk-go-v2 signer, as an SDK would.
type Caller struct {
	Endpoint, AccessKeyID, Secret, Region string
	client                                *http.Client
}

const callerBody = "Action=GetCallerIdentity&Version=2011-06-15"

var callerBodyHash = func() string { s := sha256.Sum256([]byte(callerBody)); return hex.EncodeToString(s[:]) }()

// NewCaller returns a Caller with a keep-alive client sized for many concurrent requests.
func NewCaller(endpoint, id, secret, region string) *Caller {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	return &Caller{Endpoint: endpoint, AccessKeyID: id, Secret: secret, Region: region, client: &http.Client{Transport: tr}}
}

// Call sends one request and checks the answer.
func (c *Caller) Call(ctx context.Context, signer *v4.Signer) error {
	r, err := http.NewRequestWithContext(ctx, "POST", c.Endpoint+"/", strings.NewReader(callerBody))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.Secret}
	if err := signer.SignHTTP(ctx, creds, r, callerBodyHash, "sts", c.Region, time.Now()); err != nil {
		return err
	}
	resp, err := c.client.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("GetCallerIdentity: %d %s", resp.StatusCode, body)
	}
	return nil
}

// Run sends requests from `clients` concurrent clients for d (or n requests in all, whichever
// comes first) and summarises the latencies.
func (c *Caller) Run(ctx context.Context, clients, n int, d time.Duration) (Latencies, error) {
	signer := v4.NewSigner()
	return concurrently(ctx, clients, int64(n), d, func(ctx context.Context, _ int64) error { return c.Call(ctx, signer) })
}

// concurrently calls fn from `workers` goroutines, each call with a unique i, until n calls were
// started or d has passed, and summarises the latencies of the calls that succeeded. It stops at
// the first error and returns it.
func concurrently(ctx context.Context, workers int, n int64, d time.Duration, fn func(ctx context.Context, i int64) error) (Latencies, error) {
	var mu sync.Mutex
	var all []time.Duration
	var next atomic.Int64
	var firstErr error
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			defer func() {
				mu.Lock()
				all = append(all, mine...)
				mu.Unlock()
			}()
			for i := next.Add(1); i <= n && time.Now().Before(deadline); i = next.Add(1) {
				t0 := time.Now()
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	return summarize(all, time.Since(start)), firstErr
}

// Writes is the outcome of a durable-write run.
type Writes struct {
	N      int
	PerSec float64
	P50    time.Duration
}

// StoreWrites runs `writers` goroutines that each call write(i) with a unique i for d, and reports
// the rate of acknowledged (durable) writes.
func StoreWrites(ctx context.Context, writers int, d time.Duration, write func(ctx context.Context, i int64) error) (Writes, error) {
	l, err := concurrently(ctx, writers, math.MaxInt64, d, write)
	return Writes{N: l.N, PerSec: l.PerSec, P50: l.P50}, err
}
