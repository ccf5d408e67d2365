// Package dynamodb is Amazon DynamoDB (API 2012-08-10, AWS JSON 1.0): tables with their key
// schemas, secondary indexes, TTL and tags; items written and read with DynamoDB's expression
// language (package expr) over attribute values with its 38-digit numbers (package attr);
// queries and scans as range scans in the store; batches and transactions. Items, their index
// entries and transaction tokens change in one store transaction, acknowledged once durable.
package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Store is what DynamoDB keeps: its tables and their items.
type Store interface {
	store.Tables
	store.TableVersions
}

// Deps is what DynamoDB is built with.
type Deps struct {
	service.Env
	Store Store
	// Objects is S3 in process, for exports and imports (nil: they are refused).
	Objects Objects
}

// Service serves DynamoDB.
type Service struct {
	store    Store
	region   string
	clock    background.Clock
	throttle throttle
	measures tableStats
	objects  Objects
	parsed   parsedTables
}

// ttlSweep is how often expired items are looked for; AWS deletes them within days, gureum
// within about a minute.
const ttlSweep = 30 * time.Second

// New returns the DynamoDB service; its TTL sweep runs on d.Runner when there is one.
func New(d Deps) *Service {
	d.Env = d.Env.For("dynamodb")
	s := &Service{store: d.Store, region: d.Region, clock: d.Clock, objects: d.Objects}
	s.store = measuredStore{Store: d.Store, stats: &s.measures}
	if d.Runner != nil {
		d.Runner.Every("dynamodb.ttl", ttlSweep, s.SweepExpired)
		d.Runner.Every("dynamodb.pitr", versionSweep, s.CompactVersions)
	}
	return s
}

// tableNamed is an input naming one table.
type tableNamed interface{ tableName() string }

// Describe returns DynamoDB's operation table: every operation of the 2012-08-10 API.
func (s *Service) Describe() *service.Service {
	resource := func(ctx context.Context, in any) string {
		if t, ok := in.(tableNamed); ok && t.tableName() != "" {
			if strings.HasPrefix(t.tableName(), "arn:") {
				return t.tableName()
			}
			return s.arn(callerAccount(ctx), t.tableName())
		}
		return "*"
	}
	op := func(name string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "dynamodb:" + name, Handler: h, Resource: resource}
	}
	// A restore reads its source (a backup, a table) and makes its target: both are checked.
	restore := func(name string, h service.Handler, source func(any) string) service.Operation {
		o := op(name, h)
		o.Checks = func(ctx context.Context, in any) []service.Check {
			target := service.Check{Action: o.Action, Resource: resource(ctx, in)}
			src := source(in)
			if src == "" {
				return []service.Check{target}
			}
			if !strings.HasPrefix(src, "arn:") {
				src = s.arn(callerAccount(ctx), src)
			}
			return []service.Check{{Action: o.Action, Resource: src}, target}
		}
		return o
	}
	return (&service.Service{
		Name:            "dynamodb",
		SigningName:     "dynamodb",
		Protocol:        service.JSON10,
		APIVersion:      "2012-08-10",
		TargetPrefix:    "DynamoDB_20120810",
		ErrorTypePrefix: "com.amazonaws.dynamodb.v20120810#",
		ResponseCRC32:   true,
		Operations: []service.Operation{
			op("BatchExecuteStatement", service.Func(s.BatchExecuteStatement)),
			op("BatchGetItem", service.Func(s.BatchGetItem)),
			op("BatchWriteItem", service.Func(s.BatchWriteItem)),
			op("CreateBackup", service.Func(s.CreateBackup)),
			op("CreateGlobalTable", nil),
			op("CreateTable", service.Func(s.CreateTable)),
			op("DeleteBackup", service.Func(s.DeleteBackup)),
			op("DeleteItem", service.Func(s.DeleteItem)),
			op("DeleteResourcePolicy", nil),
			op("DeleteTable", service.Func(s.DeleteTable)),
			op("DescribeBackup", service.Func(s.DescribeBackup)),
			op("DescribeContinuousBackups", service.Func(s.DescribeContinuousBackups)),
			op("DescribeContributorInsights", nil),
			op("DescribeEndpoints", service.Func(s.DescribeEndpoints)),
			op("DescribeExport", service.Func(s.DescribeExport)),
			op("DescribeGlobalTable", nil),
			op("DescribeGlobalTableSettings", nil),
			op("DescribeImport", service.Func(s.DescribeImport)),
			op("DescribeKinesisStreamingDestination", nil),
			op("DescribeLimits", service.Func(s.DescribeLimits)),
			op("DescribeTable", service.Func(s.DescribeTable)),
			op("DescribeTableReplicaAutoScaling", nil),
			op("DescribeTimeToLive", service.Func(s.DescribeTimeToLive)),
			op("DisableKinesisStreamingDestination", nil),
			op("EnableKinesisStreamingDestination", nil),
			op("ExecuteStatement", service.Func(s.ExecuteStatement)),
			op("ExecuteTransaction", service.Func(s.ExecuteTransaction)),
			op("ExportTableToPointInTime", service.Func(s.ExportTableToPointInTime)),
			op("GetItem", service.Func(s.GetItem)),
			op("GetResourcePolicy", nil),
			op("ImportTable", service.Func(s.ImportTable)),
			op("ListBackups", service.Func(s.ListBackups)),
			op("ListContributorInsights", nil),
			op("ListExports", service.Func(s.ListExports)),
			op("ListGlobalTables", nil),
			op("ListImports", service.Func(s.ListImports)),
			op("ListTables", service.Func(s.ListTables)),
			op("ListTagsOfResource", service.Func(s.ListTagsOfResource)),
			op("PutItem", service.Func(s.PutItem)),
			op("PutResourcePolicy", nil),
			op("Query", service.Func(s.Query)),
			restore("RestoreTableFromBackup", service.Func(s.RestoreTableFromBackup), func(in any) string {
				return in.(*RestoreTableFromBackupInput).BackupArn
			}),
			restore("RestoreTableToPointInTime", service.Func(s.RestoreTableToPointInTime), func(in any) string {
				return in.(*RestoreTableToPointInTimeInput).source()
			}),
			op("Scan", service.Func(s.Scan)),
			op("TagResource", service.Func(s.TagResource)),
			op("TransactGetItems", service.Func(s.TransactGetItems)),
			op("TransactWriteItems", service.Func(s.TransactWriteItems)),
			op("UntagResource", service.Func(s.UntagResource)),
			op("UpdateContinuousBackups", service.Func(s.UpdateContinuousBackups)),
			op("UpdateContributorInsights", nil),
			op("UpdateGlobalTable", nil),
			op("UpdateGlobalTableSettings", nil),
			op("UpdateItem", service.Func(s.UpdateItem)),
			op("UpdateKinesisStreamingDestination", nil),
			op("UpdateTable", service.Func(s.UpdateTable)),
			op("UpdateTableReplicaAutoScaling", nil),
			op("UpdateTimeToLive", service.Func(s.UpdateTimeToLive)),
		},
	}).Index()
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

func (s *Service) arn(account, name string) string {
	return "arn:aws:dynamodb:" + s.region + ":" + account + ":table/" + name
}

// tableDoc is what the store keeps of a table.
type tableDoc struct {
	ID                   string                 `json:"id"`
	KeySchema            []KeySchemaElement     `json:"keySchema"`
	AttributeDefinitions []AttributeDefinition  `json:"attributes"`
	BillingMode          string                 `json:"billingMode"`
	Provisioned          *ProvisionedThroughput `json:"provisioned,omitempty"`
	GSIs                 []indexDoc             `json:"gsis,omitempty"`
	LSIs                 []indexDoc             `json:"lsis,omitempty"`
	Stream               *StreamSpecification   `json:"stream,omitempty"`
	StreamLabel          string                 `json:"streamLabel,omitempty"`
	SSE                  *SSESpecification      `json:"sse,omitempty"`
	TableClass           string                 `json:"tableClass,omitempty"`
	DeletionProtection   bool                   `json:"deletionProtection,omitempty"`
	TTLAttribute         string                 `json:"ttlAttribute,omitempty"`
	TTLEnabled           bool                   `json:"ttlEnabled,omitempty"`
	Tags                 []Tag                  `json:"tags,omitempty"`
	Created              float64                `json:"created"`
	Backup               *backupMeta            `json:"backup,omitempty"` // set on a backup's record
	PITR                 *pitrDoc               `json:"pitr,omitempty"`   // point-in-time recovery, when on
}

type indexDoc struct {
	Name        string                 `json:"name"`
	KeySchema   []KeySchemaElement     `json:"keySchema"`
	Projection  Projection             `json:"projection"`
	Provisioned *ProvisionedThroughput `json:"provisioned,omitempty"`
}

// keySchema is a table's or index's key: attribute names and types.
type keySchema struct {
	hash, rang         string
	hashKind, rangKind attr.Kind
}

// index is a secondary index as queries and writes use it.
type index struct {
	name   string
	global bool
	keys   keySchema
	proj   Projection
}

// table is a loaded table.
type table struct {
	store.Table
	doc     tableDoc
	arn     string
	keys    keySchema
	indexes map[string]*index
	now     int64 // epoch seconds when loaded: TTL values more than five years before it never expire
	loaded  time.Time
}

func (s *Service) schemaOf(doc *tableDoc, ks []KeySchemaElement) keySchema {
	var k keySchema
	kind := func(name string) attr.Kind {
		for _, a := range doc.AttributeDefinitions {
			if a.AttributeName == name {
				return attr.KindOf(a.AttributeType)
			}
		}
		return attr.Invalid
	}
	for _, e := range ks {
		if e.KeyType == "HASH" {
			k.hash, k.hashKind = e.AttributeName, kind(e.AttributeName)
		} else {
			k.rang, k.rangKind = e.AttributeName, kind(e.AttributeName)
		}
	}
	return k
}

func (s *Service) loadDoc(rec store.Table) (*table, error) {
	t := &table{Table: rec, arn: s.arn(rec.Account, rec.Name), indexes: map[string]*index{}, loaded: s.now()}
	t.now = t.loaded.Unix()
	if err := json.Unmarshal(rec.Doc, &t.doc); err != nil {
		return nil, err
	}
	t.keys = s.schemaOf(&t.doc, t.doc.KeySchema)
	for _, g := range t.doc.GSIs {
		t.indexes[g.Name] = &index{name: g.Name, global: true, keys: s.schemaOf(&t.doc, g.KeySchema), proj: g.Projection}
	}
	for _, l := range t.doc.LSIs {
		t.indexes[l.Name] = &index{name: l.Name, keys: s.schemaOf(&t.doc, l.KeySchema), proj: l.Projection}
	}
	return t, nil
}

// tableRef turns a TableName (a name or an ARN) into the account and name.
func tableRef(ctx context.Context, name string) (account, table string) {
	account = callerAccount(ctx)
	if strings.HasPrefix(name, "arn:") {
		parts := strings.SplitN(name, ":", 6)
		if len(parts) == 6 && strings.HasPrefix(parts[5], "table/") {
			return parts[4], strings.TrimPrefix(parts[5], "table/")
		}
	}
	return account, name
}

// load reads a table for an item operation: a missing table is "Requested resource not found".
func (s *Service) load(ctx context.Context, name string) (*table, error) {
	rec, err := s.record(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.loadDoc(rec)
}

// loadShared is load for the single-item operations and Query/Scan, which only read the
// table: the store record is read as always (so every node's change is seen), and its parsed
// form is shared while the record is the same.
func (s *Service) loadShared(ctx context.Context, name string) (*table, error) {
	rec, err := s.record(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.parsed.get(s, rec)
}

// record reads a table's store record by name or ARN.
func (s *Service) record(ctx context.Context, name string) (store.Table, error) {
	if name == "" {
		return store.Table{}, validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	account, n := tableRef(ctx, name)
	if err := checkName("tableName", n); err != nil {
		return store.Table{}, err
	}
	rec, err := s.store.Table(ctx, account, n)
	if errors.Is(err, store.ErrNotFound) {
		return store.Table{}, notFound()
	}
	return rec, err
}

// parsedTables keeps the parsed form of the tables loadShared reads (parsing a table's
// document was most of PutItem's own CPU), by account and name, each for the record's id,
// revision and document. What it hands out is a copy whose document, keys and indexes are
// shared, so its users must not change them (the item operations only read them).
type parsedTables struct {
	mu sync.Mutex
	m  map[[2]string]*table
}

// maxParsedTables bounds the cache; when full it starts again.
const maxParsedTables = 4096

func (p *parsedTables) get(s *Service, rec store.Table) (*table, error) {
	k := [2]string{rec.Account, rec.Name}
	p.mu.Lock()
	t := p.m[k]
	p.mu.Unlock()
	if t == nil || t.ID != rec.ID || t.Rev != rec.Rev || !bytes.Equal(t.Doc, rec.Doc) {
		var err error
		if t, err = s.loadDoc(rec); err != nil {
			return nil, err
		}
		p.mu.Lock()
		if p.m == nil || len(p.m) >= maxParsedTables {
			p.m = map[[2]string]*table{}
		}
		p.m[k] = t
		p.mu.Unlock()
	}
	c := *t
	c.loaded = s.now()
	c.now = c.loaded.Unix()
	return &c, nil
}

func (s *Service) now() time.Time { return s.clock.Now() }

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
