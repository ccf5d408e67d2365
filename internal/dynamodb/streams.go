package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// DynamoDB Streams' own codes.
var (
	ErrExpiredIterator = &awserr.Code{Name: "ExpiredIteratorException", Status: 400}
	ErrTrimmedData     = &awserr.Code{Name: "TrimmedDataAccessException", Status: 400}
)

// Stream settings AWS documents.
const (
	streamRetention  = 24 * time.Hour
	iteratorLifetime = 15 * time.Minute
)

// StreamRecordBody is the dynamodb member of a stream record.
type StreamRecordBody struct {
	ApproximateCreationDateTime float64 `json:"ApproximateCreationDateTime"`
	Keys                        Item    `json:"Keys"`
	NewImage                    Item    `json:"NewImage,omitempty"`
	OldImage                    Item    `json:"OldImage,omitempty"`
	SequenceNumber              string  `json:"SequenceNumber,omitempty"`
	SizeBytes                   int64   `json:"SizeBytes"`
	StreamViewType              string  `json:"StreamViewType"`
}

// Identity is who made a change: set only on TTL deletions.
type Identity struct {
	PrincipalID string `json:"PrincipalId"`
	Type        string `json:"Type"`
}

// Record is one stream record as GetRecords answers it.
type Record struct {
	EventID      string           `json:"eventID"`
	EventName    string           `json:"eventName"`
	EventVersion string           `json:"eventVersion"`
	EventSource  string           `json:"eventSource"`
	AwsRegion    string           `json:"awsRegion"`
	Dynamodb     StreamRecordBody `json:"dynamodb"`
	UserIdentity *Identity        `json:"userIdentity,omitempty"`
}

// streamRecord is the record of a change from old to next on a table with a stream; nil when
// the table has none or nothing changed.
func (s *Service) streamRecord(t *table, old, next Item, ttl bool) *store.StreamRecord {
	if t.doc.Stream == nil || old == nil && next == nil {
		return nil
	}
	if old != nil && next != nil && attr.Equal(attr.Value{Kind: attr.M, M: old}, attr.Value{Kind: attr.M, M: next}) {
		return nil
	}
	view := t.doc.Stream.StreamViewType
	now := s.now()
	r := Record{EventID: strings.ReplaceAll(uuid.NewString(), "-", ""), EventVersion: "1.1", EventSource: "aws:dynamodb", AwsRegion: s.region,
		Dynamodb: StreamRecordBody{ApproximateCreationDateTime: float64(now.Unix()), StreamViewType: view}}
	src := next
	switch {
	case old == nil:
		r.EventName = "INSERT"
	case next == nil:
		r.EventName, src = "REMOVE", old
	default:
		r.EventName = "MODIFY"
	}
	r.Dynamodb.Keys = t.keyAttrs(src)
	if view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES" {
		r.Dynamodb.NewImage = next
	}
	if view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES" {
		r.Dynamodb.OldImage = old
	}
	r.Dynamodb.SizeBytes = int64(attr.ItemSize(r.Dynamodb.Keys) + attr.ItemSize(r.Dynamodb.NewImage) + attr.ItemSize(r.Dynamodb.OldImage))
	if ttl {
		r.UserIdentity = &Identity{PrincipalID: "dynamodb.amazonaws.com", Type: "Service"}
	}
	doc, _ := json.Marshal(r)
	return &store.StreamRecord{Table: t.ID, Label: t.doc.StreamLabel, Doc: doc, Created: now}
}

// Streams returns DynamoDB Streams' operation table (API 2012-08-10, target prefix
// DynamoDBStreams_20120810, signing as dynamodb like the tables).
func (s *Service) Streams() *service.Service {
	resource := func(ctx context.Context, in any) string {
		if a, ok := in.(interface{ streamARN() string }); ok && a.streamARN() != "" {
			return a.streamARN()
		}
		return "*"
	}
	op := func(name string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "dynamodb:" + name, Handler: h, Resource: resource}
	}
	return (&service.Service{
		Name:            "dynamodbstreams",
		SigningName:     "dynamodb",
		Protocol:        service.JSON10,
		APIVersion:      "2012-08-10",
		TargetPrefix:    "DynamoDBStreams_20120810",
		ErrorTypePrefix: "com.amazonaws.dynamodb.v20120810#",
		ResponseCRC32:   true,
		Operations: []service.Operation{
			op("DescribeStream", service.Func(s.DescribeStream)),
			op("GetRecords", service.Func(s.GetRecords)),
			op("GetShardIterator", service.Func(s.GetShardIterator)),
			op("ListStreams", service.Func(s.ListStreams)),
		},
	}).Index()
}

// streamOf reads the table of a stream ARN (arn:…:table/T/stream/LABEL) whose stream is current.
func (s *Service) streamOf(ctx context.Context, arn string) (*table, error) {
	notFound := ErrResourceNotFound.Errorf("Requested resource not found: Stream: %s not found", arn)
	i := strings.Index(arn, "/stream/")
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return nil, notFound
	}
	t, err := s.load(ctx, arn[:i])
	if isCode(err, ErrResourceNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if t.doc.Stream == nil || t.doc.StreamLabel != arn[i+len("/stream/"):] {
		return nil, notFound
	}
	return t, nil
}

func shardID(label string) string {
	sum := sha256.Sum256([]byte(label))
	return "shardId-00000000000000000001-" + hex.EncodeToString(sum[:4])
}

func seqText(n int64) string { return fmt.Sprintf("%021d", n) }

// StreamARNInput names a stream.
type StreamARNInput struct {
	StreamArn             string `json:"StreamArn"`
	Limit                 *int   `json:"Limit"`
	ExclusiveStartShardId string `json:"ExclusiveStartShardId"`
}

func (in *StreamARNInput) streamARN() string { return in.StreamArn }

// Shard is a stream's shard.
type Shard struct {
	ShardId             string `json:"ShardId"`
	SequenceNumberRange struct {
		StartingSequenceNumber string `json:"StartingSequenceNumber,omitempty"`
		EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
	} `json:"SequenceNumberRange"`
}

// DescribeStreamOutput is DescribeStream's output.
type DescribeStreamOutput struct {
	StreamDescription struct {
		StreamArn               string             `json:"StreamArn"`
		StreamLabel             string             `json:"StreamLabel"`
		StreamStatus            string             `json:"StreamStatus"`
		StreamViewType          string             `json:"StreamViewType"`
		CreationRequestDateTime float64            `json:"CreationRequestDateTime"`
		TableName               string             `json:"TableName"`
		KeySchema               []KeySchemaElement `json:"KeySchema"`
		Shards                  []Shard            `json:"Shards"`
	} `json:"StreamDescription"`
}

// DescribeStream describes a table's stream: one open shard.
func (s *Service) DescribeStream(ctx context.Context, in *StreamARNInput) (*DescribeStreamOutput, error) {
	t, err := s.streamOf(ctx, in.StreamArn)
	if err != nil {
		return nil, err
	}
	out := &DescribeStreamOutput{}
	d := &out.StreamDescription
	d.StreamArn, d.StreamLabel, d.StreamStatus, d.StreamViewType = in.StreamArn, t.doc.StreamLabel, "ENABLED", t.doc.Stream.StreamViewType
	if created, err := time.Parse("2006-01-02T15:04:05.000", t.doc.StreamLabel); err == nil {
		d.CreationRequestDateTime = epochSeconds(created)
	}
	d.TableName, d.KeySchema = t.Name, t.doc.KeySchema
	first, err := s.store.StreamRecords(ctx, t.ID, t.doc.StreamLabel, 0, 1)
	if err != nil {
		return nil, err
	}
	sh := Shard{ShardId: shardID(t.doc.StreamLabel)}
	if len(first) > 0 {
		sh.SequenceNumberRange.StartingSequenceNumber = seqText(first[0].Seq)
	} else {
		last, err := s.store.LastStreamSeq(ctx)
		if err != nil {
			return nil, err
		}
		sh.SequenceNumberRange.StartingSequenceNumber = seqText(last + 1)
	}
	if in.ExclusiveStartShardId != sh.ShardId {
		d.Shards = []Shard{sh}
	} else {
		d.Shards = []Shard{}
	}
	return out, nil
}

// GetShardIteratorInput is GetShardIterator's input.
type GetShardIteratorInput struct {
	StreamArn         string `json:"StreamArn"`
	ShardId           string `json:"ShardId"`
	ShardIteratorType string `json:"ShardIteratorType"`
	SequenceNumber    string `json:"SequenceNumber"`
}

func (in *GetShardIteratorInput) streamARN() string { return in.StreamArn }

// iterator is what a shard iterator holds.
type iterator struct {
	Account string `json:"a"`
	Table   string `json:"t"`
	Label   string `json:"l"`
	After   int64  `json:"s"`
	Issued  int64  `json:"i"`
}

func (it iterator) String() string {
	b, _ := json.Marshal(it)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeIterator(s string) (iterator, error) {
	var it iterator
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &it)
	}
	return it, err
}

// GetShardIteratorOutput is GetShardIterator's output.
type GetShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator"`
}

// GetShardIterator starts reading a shard at one of AWS's four positions.
func (s *Service) GetShardIterator(ctx context.Context, in *GetShardIteratorInput) (*GetShardIteratorOutput, error) {
	t, err := s.streamOf(ctx, in.StreamArn)
	if err != nil {
		return nil, err
	}
	if in.ShardId != shardID(t.doc.StreamLabel) {
		return nil, ErrResourceNotFound.Errorf("Requested resource not found: Shard: %s in Stream: %s not found", in.ShardId, in.StreamArn)
	}
	it := iterator{Account: t.Account, Table: t.Name, Label: t.doc.StreamLabel, Issued: s.now().Unix()}
	seq := func() (int64, error) {
		n, err := strconv.ParseInt(in.SequenceNumber, 10, 64)
		if err != nil || in.SequenceNumber == "" {
			return 0, validation("Invalid SequenceNumber: %s", in.SequenceNumber)
		}
		return n, nil
	}
	switch in.ShardIteratorType {
	case "TRIM_HORIZON":
	case "LATEST":
		if it.After, err = s.store.LastStreamSeq(ctx); err != nil {
			return nil, err
		}
	case "AT_SEQUENCE_NUMBER":
		n, err := seq()
		if err != nil {
			return nil, err
		}
		it.After = n - 1
	case "AFTER_SEQUENCE_NUMBER":
		if it.After, err = seq(); err != nil {
			return nil, err
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]", in.ShardIteratorType)
	}
	return &GetShardIteratorOutput{ShardIterator: it.String()}, nil
}

// GetRecordsInput is GetRecords' input.
type GetRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int   `json:"Limit"`
}

// GetRecordsOutput is GetRecords' output.
type GetRecordsOutput struct {
	Records           []Record `json:"Records"`
	NextShardIterator string   `json:"NextShardIterator,omitempty"`
}

// GetRecords reads a shard from an iterator: up to 1,000 records and the iterator after them;
// none once a closed shard is drained.
func (s *Service) GetRecords(ctx context.Context, in *GetRecordsInput) (*GetRecordsOutput, error) {
	limit := 1000
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 1000 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000", *in.Limit)
		}
		limit = *in.Limit
	}
	it, err := decodeIterator(in.ShardIterator)
	if err != nil || it.Account != callerAccount(ctx) {
		return nil, validation("Invalid ShardIterator")
	}
	if s.now().Sub(time.Unix(it.Issued, 0)) > iteratorLifetime {
		return nil, ErrExpiredIterator.Errorf("Iterator expired. The iterator was created at time %s while right now it's %s. The iterator is only valid for 15 minutes.",
			time.Unix(it.Issued, 0).UTC().Format(time.RFC1123), s.now().UTC().Format(time.RFC1123))
	}
	rec, err := s.store.Table(ctx, it.Account, it.Table)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf("Requested resource not found: Stream not found")
	}
	if err != nil {
		return nil, err
	}
	t, err := s.loadDoc(rec)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.StreamRecords(ctx, t.ID, it.Label, it.After, limit)
	if err != nil {
		return nil, err
	}
	out := &GetRecordsOutput{Records: []Record{}}
	for _, r := range recs {
		var x Record
		if err := json.Unmarshal(r.Doc, &x); err != nil {
			return nil, err
		}
		x.Dynamodb.SequenceNumber = seqText(r.Seq)
		out.Records = append(out.Records, x)
		it.After = r.Seq
	}
	open := t.doc.Stream != nil && t.doc.StreamLabel == it.Label
	if open || len(recs) > 0 {
		it.Issued = s.now().Unix()
		out.NextShardIterator = it.String()
	}
	return out, nil
}

// ListStreamsInput is ListStreams' input.
type ListStreamsInput struct {
	TableName               string `json:"TableName"`
	Limit                   *int   `json:"Limit"`
	ExclusiveStartStreamArn string `json:"ExclusiveStartStreamArn"`
}

// StreamSummary names a stream.
type StreamSummary struct {
	StreamArn   string `json:"StreamArn"`
	TableName   string `json:"TableName"`
	StreamLabel string `json:"StreamLabel"`
}

// ListStreamsOutput is ListStreams' output.
type ListStreamsOutput struct {
	Streams                []StreamSummary `json:"Streams"`
	LastEvaluatedStreamArn string          `json:"LastEvaluatedStreamArn,omitempty"`
}

// ListStreams lists the account's streams, or one table's.
func (s *Service) ListStreams(ctx context.Context, in *ListStreamsInput) (*ListStreamsOutput, error) {
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", *in.Limit)
		}
		limit = *in.Limit
	}
	tables, err := s.store.ListTables(ctx, callerAccount(ctx), "", 0)
	if err != nil {
		return nil, err
	}
	out := &ListStreamsOutput{Streams: []StreamSummary{}}
	skipping := in.ExclusiveStartStreamArn != ""
	for _, rec := range tables {
		if in.TableName != "" && rec.Name != in.TableName {
			continue
		}
		t, err := s.loadDoc(rec)
		if err != nil || t.doc.Stream == nil || t.doc.Backup != nil {
			continue
		}
		arn := t.arn + "/stream/" + t.doc.StreamLabel
		if skipping {
			skipping = arn != in.ExclusiveStartStreamArn
			continue
		}
		if len(out.Streams) == limit {
			out.LastEvaluatedStreamArn = out.Streams[limit-1].StreamArn
			break
		}
		out.Streams = append(out.Streams, StreamSummary{StreamArn: arn, TableName: t.Name, StreamLabel: t.doc.StreamLabel})
	}
	return out, nil
}
