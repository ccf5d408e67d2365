package server

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/gureum/gureum/internal/dynamodb"
	"github.com/gureum/gureum/internal/lambda"
)

// tableStreams is DynamoDB Streams in process for Lambda's event source mappings
// (lambda.Streams over dynamodb.StreamReader); reader is set once the table service is made.
type tableStreams struct {
	reader dynamodb.StreamReader
}

var _ lambda.Streams = (*tableStreams)(nil)

var errNoTables = errors.New("dynamodb streams are not available")

func (t *tableStreams) StreamShards(ctx context.Context, streamARN string) ([]string, error) {
	if t.reader == nil {
		return nil, errNoTables
	}
	shards, err := t.reader.Shards(asAccount(ctx, streamARN), streamARN)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(shards))
	for _, s := range shards {
		ids = append(ids, s.ShardId)
	}
	return ids, nil
}

func (t *tableStreams) StreamIterator(ctx context.Context, streamARN, shardID, position, seq string) (string, error) {
	if t.reader == nil {
		return "", errNoTables
	}
	it, err := t.reader.Iterator(asAccount(ctx, streamARN), streamARN, shardID, position, seq)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(it)
	return string(b), err
}

func (t *tableStreams) StreamRecords(ctx context.Context, iterator string, limit int) ([]lambda.StreamRecord, string, bool, error) {
	if t.reader == nil {
		return nil, iterator, false, errNoTables
	}
	var it dynamodb.StreamIterator
	if err := json.Unmarshal([]byte(iterator), &it); err != nil {
		return nil, iterator, false, err
	}
	recs, next, err := t.reader.Records(ctx, it, limit)
	if err != nil {
		return nil, iterator, false, err
	}
	out := make([]lambda.StreamRecord, 0, len(recs))
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, iterator, false, err
		}
		sec, frac := math.Modf(r.Dynamodb.ApproximateCreationDateTime)
		out = append(out, lambda.StreamRecord{Seq: r.Dynamodb.SequenceNumber, Data: b,
			Created: time.Unix(int64(sec), int64(frac*1e9))})
	}
	nb, err := json.Marshal(next)
	return out, string(nb), next.Closed, err
}
