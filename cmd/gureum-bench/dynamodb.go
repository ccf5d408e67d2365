package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gureum/gureum/internal/bench"
)

// runDynamoDB is `gureum-bench dynamodb`: PutItem, GetItem and Query from one client (p50, p99)
// and from 16 (throughput) on gureum (SQLite) and moto_server, the targets taking turns.
func runDynamoDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dynamodb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("gureum", "", "the gureum binary to measure (default: gureum beside this binary)")
	dur := fs.Duration("duration", 3*time.Second, "length of each measurement")
	noPeer := fs.Bool("no-peer", false, "do not measure moto_server")
	rounds := fs.Int("rounds", 3, "rounds per target; each figure is the median round")
	profile := fs.String("cpu-profile", "", "have gureum write a CPU profile of the run to this file")
	only := fs.String("workloads", "PutItem,GetItem,Query", "the workloads to run")
	running := fs.String("endpoint", "", "measure a gureum already running here (root key AKIAGUREUMBENCH00001 / bench-secret) instead of starting one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bin == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		*bin = self[:len(self)-len("-bench")]
	}
	fmt.Fprintln(stderr, "measuring DynamoDB…")
	dir, err := os.MkdirTemp("", "gureum-bench-dynamodb")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var extra []string
	if *profile != "" {
		extra = append(extra, "--cpu-profile", *profile)
	}
	endpoint := *running
	if endpoint == "" {
		cmd, ep, _, err := bench.StartBinary(ctx, *bin, dir, "AKIAGUREUMBENCH00001", "bench-secret", extra...)
		if err != nil {
			return err
		}
		defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
		endpoint = ep
	}
	type target struct{ name, endpoint string }
	targets := []target{{"gureum sqlite", endpoint}}
	if !*noPeer {
		if moto, stop, err := bench.Moto(ctx); err == nil {
			defer stop()
			targets = append(targets, target{"moto_server", moto})
		} else {
			fmt.Fprintf(stderr, "NOTICE: moto_server not measured: %v\n", err)
		}
	}
	workloads := strings.Split(*only, ",")
	results := map[string][]ddbResult{}
	for _, t := range targets {
		if err := ddbSetUp(ctx, ddbClient(t.endpoint)); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	for r := 0; r < *rounds; r++ {
		for _, t := range targets {
			c := ddbClient(t.endpoint)
			for _, w := range workloads {
				one, err := ddbMeasure(ctx, c, w, 1, *dur)
				if err != nil {
					return fmt.Errorf("%s: %s from 1 client: %w", t.name, w, err)
				}
				many, err := ddbMeasure(ctx, c, w, 16, *dur)
				if err != nil {
					return fmt.Errorf("%s: %s: %w", t.name, w, err)
				}
				key := t.name + "\x00" + w
				results[key] = append(results[key], ddbResult{one.p50, one.p99, many.p50, many.perSec})
			}
		}
	}
	fmt.Fprintf(stdout, "%-10s %-15s %10s %10s %10s %12s\n", "operation", "target", "p50 (1)", "p99 (1)", "p50 (16)", "ops/s (16)")
	for _, w := range workloads {
		for _, t := range targets {
			rs := results[t.name+"\x00"+w]
			sort.Slice(rs, func(i, j int) bool { return rs[i].p50 < rs[j].p50 })
			m := rs[len(rs)/2]
			sort.Slice(rs, func(i, j int) bool { return rs[i].p50Load < rs[j].p50Load })
			load := rs[len(rs)/2].p50Load
			sort.Slice(rs, func(i, j int) bool { return rs[i].perSec < rs[j].perSec })
			fmt.Fprintf(stdout, "%-10s %-15s %10s %10s %10s %12.0f\n", w, t.name, msText(m.p50), msText(m.p99), msText(load), rs[len(rs)/2].perSec)
		}
	}
	return nil
}

type ddbResult struct {
	p50, p99 time.Duration // one client
	p50Load  time.Duration // 16 clients
	perSec   float64       // 16 clients
}

func msText(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + " ms" }

func ddbClient(endpoint string) *ddb.Client {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute, DisableCompression: true}
	// The SDK's own retries stay on (3 attempts): aws-sdk-go-v2 sometimes fails a Query's body read
	// with "use of closed network connection" after its transport's write loop closed the
	// connection, on AWS as here (aws/aws-sdk-go-v2#1825, #2737), and retries it.
	return ddb.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAGUREUMBENCH00001", "bench-secret", ""),
		HTTPClient:  &http.Client{Transport: tr}})
}

const ddbTable = "bench"

// ddbSetUp makes the table (pk S, sk N) and fills 100 partitions of 20 items of about 200 bytes.
func ddbSetUp(ctx context.Context, c *ddb.Client) error {
	_, err := c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String(ddbTable), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}}})
	if err != nil {
		return err
	}
	for p := 0; p < 100; p++ {
		var reqs []types.WriteRequest
		for s := 0; s < 20; s++ {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: ddbItem(p, s)}})
			if len(reqs) == 20 || s == 19 {
				if _, err := c.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{ddbTable: reqs}}); err != nil {
					return err
				}
				reqs = nil
			}
		}
	}
	return nil
}

func ddbItem(p, s int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "p" + strconv.Itoa(p)}, "sk": &types.AttributeValueMemberN{Value: strconv.Itoa(s)},
		"name": &types.AttributeValueMemberS{Value: "item " + strconv.Itoa(p) + "/" + strconv.Itoa(s)}, "n": &types.AttributeValueMemberN{Value: "12345.678"},
		"tags": &types.AttributeValueMemberSS{Value: []string{"a", "b", "c"}}, "body": &types.AttributeValueMemberS{Value: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
}

type measured struct {
	p50, p99 time.Duration
	perSec   float64
}

// ddbMeasure runs one workload from clients workers for d: PutItem of an item, GetItem of one,
// Query of a partition's 20 items.
func ddbMeasure(ctx context.Context, c *ddb.Client, workload string, clients int, d time.Duration) (measured, error) {
	var mu sync.Mutex
	var all []time.Duration
	var next atomic.Int64
	var firstErr error
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := int(next.Add(1))
				t0 := time.Now()
				var err error
				switch workload {
				case "PutItem":
					_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String(ddbTable), Item: ddbItem(i%100, 100+i)})
				case "GetItem":
					_, err = c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String(ddbTable), Key: map[string]types.AttributeValue{
						"pk": &types.AttributeValueMemberS{Value: "p" + strconv.Itoa(i%100)}, "sk": &types.AttributeValueMemberN{Value: strconv.Itoa(i % 20)}}})
				case "Query":
					var out *ddb.QueryOutput
					out, err = c.Query(ctx, &ddb.QueryInput{TableName: aws.String(ddbTable), KeyConditionExpression: aws.String("pk = :p AND sk < :s"),
						ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "p" + strconv.Itoa(i%100)}, ":s": &types.AttributeValueMemberN{Value: "20"}}})
					if err == nil && out.Count != 20 {
						err = fmt.Errorf("Query answered %d items; want 20", out.Count)
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return measured{}, firstErr
	}
	if len(all) == 0 {
		return measured{}, errors.New("no request completed")
	}
	wall := time.Since(start)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return measured{p50: all[len(all)/2], p99: all[len(all)*99/100], perSec: float64(len(all)) / wall.Seconds()}, nil
}
