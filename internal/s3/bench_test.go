package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gureum/gureum/internal/gureumtest"
)

// BenchmarkObjects4KiB measures 4 KiB PUTs and GETs through the SDK against the in-process
// server (SQLite), 16 clients in parallel. Run it briefly: -bench Objects4KiB -benchtime 2s.
func BenchmarkObjects4KiB(b *testing.B) {
	srv := gureumtest.Start(b, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := client(srv, true)
	if _, err := c.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 4096)
	var n atomic.Int64
	b.Run("PUT", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				k := fmt.Sprintf("k%d", n.Add(1))
				if _, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("GET", func(b *testing.B) {
		b.SetParallelism(8)
		var i atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				k := fmt.Sprintf("k%d", i.Add(1)%n.Load()+1)
				out, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(k)})
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, out.Body)
				out.Body.Close()
			}
		})
	})
}
