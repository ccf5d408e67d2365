package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/gureum/gureum/internal/store"
)

// StreamReader is DynamoDB Streams in process, for an event source mapping's poller (Lambda's,
// which decides itself whether its function's role may read the stream): the shards of a
// stream, an iterator at one of the Streams API's positions, and the records after it exactly
// as GetRecords answers them. An in-process iterator does not expire; it is a value the poller
// may keep (checkpoint) as it likes. *Service implements it.
type StreamReader interface {
	// Shards lists a stream's shards (gureum keeps one per stream label).
	Shards(ctx context.Context, streamARN string) ([]Shard, error)
	// Iterator is a position in a shard: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER or
	// AFTER_SEQUENCE_NUMBER (with seq).
	Iterator(ctx context.Context, streamARN, shardID, position, seq string) (StreamIterator, error)
	// Records reads up to limit (1 to 1,000) records after it, and the iterator after them;
	// next.Closed once the shard's stream is no longer the table's and every record is read.
	Records(ctx context.Context, it StreamIterator, limit int) (recs []Record, next StreamIterator, err error)
}

// StreamIterator is a position in a shard, for StreamReader.
type StreamIterator struct {
	Account string
	Table   string
	Label   string
	After   int64 // the last sequence number read (0: before the first)
	Closed  bool  // the shard is closed and drained: there is nothing more to read
}

var _ StreamReader = (*Service)(nil)

// Shards lists a stream's shards.
func (s *Service) Shards(ctx context.Context, streamARN string) ([]Shard, error) {
	out, err := s.DescribeStream(ctx, &StreamARNInput{StreamArn: streamARN})
	if err != nil {
		return nil, err
	}
	return out.StreamDescription.Shards, nil
}

// Iterator starts reading a shard at a position.
func (s *Service) Iterator(ctx context.Context, streamARN, shardID, position, seq string) (StreamIterator, error) {
	out, err := s.GetShardIterator(ctx, &GetShardIteratorInput{StreamArn: streamARN, ShardId: shardID, ShardIteratorType: position, SequenceNumber: seq})
	if err != nil {
		return StreamIterator{}, err
	}
	it, err := decodeIterator(out.ShardIterator)
	if err != nil {
		return StreamIterator{}, err
	}
	return StreamIterator{Account: it.Account, Table: it.Table, Label: it.Label, After: it.After}, nil
}

// Records reads the records after an iterator.
func (s *Service) Records(ctx context.Context, it StreamIterator, limit int) ([]Record, StreamIterator, error) {
	if limit < 1 || limit > 1000 {
		return nil, it, validation("1 validation error detected: Value '%s' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000", strconv.Itoa(limit))
	}
	if it.Closed {
		return []Record{}, it, nil
	}
	rec, err := s.store.Table(ctx, it.Account, it.Table)
	open := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, it, err
	}
	var id int64
	if open {
		t, err := s.loadDoc(rec)
		if err != nil {
			return nil, it, err
		}
		open, id = t.doc.Stream != nil && t.doc.StreamLabel == it.Label, t.ID
	}
	if id == 0 { // the table is gone, and its records with it
		it.Closed = true
		return []Record{}, it, nil
	}
	recs, err := s.store.StreamRecords(ctx, id, it.Label, it.After, limit)
	if err != nil {
		return nil, it, err
	}
	out := make([]Record, 0, len(recs))
	for _, r := range recs {
		var x Record
		if err := json.Unmarshal(r.Doc, &x); err != nil {
			return nil, it, err
		}
		x.Dynamodb.SequenceNumber = seqText(r.Seq)
		out = append(out, x)
		it.After = r.Seq
	}
	it.Closed = !open && len(recs) == 0
	return out, it, nil
}
