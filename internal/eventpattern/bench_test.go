package eventpattern

import (
	"fmt"
	"testing"
)

// benchEvent is an S3 "Object Created" event grown to about 1 KB.
const benchEvent = `{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created",
"source":"aws.s3","account":"123456789012","time":"2021-11-12T00:00:00Z","region":"ca-central-1",
"resources":["arn:aws:s3:::example-bucket"],"detail":{"version":"0","bucket":{"name":"example-bucket"},
"object":{"key":"uploads/2021/11/12/partner-a/invoice-000123.pdf","size":524288,"etag":"b1946ac92492d2347c6235b4d2611184",
"version-id":"IYV3p45BT0ac8hjHg1houSdS1a.Mro8e","sequencer":"617f08299329d189"},"request-id":"N4N7GDK58NMKJ12R",
"requester":"123456789012","source-ip-address":"10.0.12.34","reason":"PutObject",
"tags":[{"key":"team","value":"billing"},{"key":"env","value":"prod"},{"key":"cost-center","value":"cc-4411"}],
"metadata":{"content-type":"application/pdf","uploaded-by":"partner-a-ingest","checksum":"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
"retention-days":30,"priority":3,"labels":["invoice","partner-a","q4","monthly"],"notes":"first delivery of the month, customer 8812, batch 77"}}}`

// benchPattern is a rule of typical size: source, detail-type and four detail conditions.
const benchPattern = `{"source":["aws.s3"],"detail-type":["Object Created"],
"detail":{"bucket":{"name":["example-bucket"]},"object":{"key":[{"prefix":"uploads/"}],"size":[{"numeric":[">",0,"<=",10485760]}]},
"reason":[{"anything-but":["DeleteObject","Lifecycle Expiration"]}]}}`

func BenchmarkMatch(b *testing.B) {
	p := MustCompile(benchPattern, EventBridge)
	event := []byte(benchEvent)
	b.Run("json", func(b *testing.B) { // decode and match
		b.SetBytes(int64(len(event)))
		for b.Loop() {
			if ok, err := p.Match(event); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	e, err := Decode(event)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decoded", func(b *testing.B) {
		for b.Loop() {
			if !p.MatchEvent(e) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(event)))
		for b.Loop() {
			if _, err := Decode(event); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSet matches one event against a bus of 1,000 rules: a source each (a few sharing
// one), some on detail-type only, and a handful with no exact field to index.
func BenchmarkSet(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		var s Set
		for i := 0; i < n; i++ {
			var pattern string
			switch {
			case i%100 == 7:
				pattern = fmt.Sprintf(`{"detail":{"object":{"key":[{"prefix":"uploads/%d/"}]}}}`, i)
			case i%10 == 3:
				pattern = fmt.Sprintf(`{"detail-type":["Type %d"],"detail":{"size":[{"numeric":[">",%d]}]}}`, i, i)
			default:
				pattern = fmt.Sprintf(`{"source":["app.service%d"],"detail-type":["Order Placed","Order Cancelled"],"detail":{"total":[{"numeric":[">",%d]}]}}`, i%(n/2+1), i)
			}
			s.Add(MustCompile(pattern, EventBridge))
		}
		s.Add(MustCompile(benchPattern, EventBridge))
		event := []byte(benchEvent)
		e, err := Decode(event)
		if err != nil {
			b.Fatal(err)
		}
		var dst []int
		b.Run(fmt.Sprintf("rules=%d/decoded", n), func(b *testing.B) {
			for b.Loop() {
				if dst = s.Match(e, dst[:0]); len(dst) != 1 {
					b.Fatal(dst)
				}
			}
		})
		b.Run(fmt.Sprintf("rules=%d/json", n), func(b *testing.B) {
			for b.Loop() {
				e, _ := s.Decode(event)
				if dst = s.Match(e, dst[:0]); len(dst) != 1 {
					b.Fatal(dst)
				}
			}
		})
		b.Run(fmt.Sprintf("rules=%d/unindexed", n), func(b *testing.B) {
			for b.Loop() {
				count := 0
				for _, p := range s.patterns {
					if p.MatchEvent(e) {
						count++
					}
				}
				if count != 1 {
					b.Fatal(count)
				}
			}
		})
	}
}
