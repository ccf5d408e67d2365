package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/store"
)

// CreateTableInput is CreateTable's input.
type CreateTableInput struct {
	TableName                 string                 `json:"TableName"`
	KeySchema                 []KeySchemaElement     `json:"KeySchema"`
	AttributeDefinitions      []AttributeDefinition  `json:"AttributeDefinitions"`
	BillingMode               string                 `json:"BillingMode"`
	ProvisionedThroughput     *ProvisionedThroughput `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexes    []IndexSpec            `json:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes     []IndexSpec            `json:"LocalSecondaryIndexes"`
	StreamSpecification       *StreamSpecification   `json:"StreamSpecification"`
	SSESpecification          *SSESpecification      `json:"SSESpecification"`
	TableClass                string                 `json:"TableClass"`
	Tags                      []Tag                  `json:"Tags"`
	DeletionProtectionEnabled bool                   `json:"DeletionProtectionEnabled"`
}

func (in *CreateTableInput) tableName() string { return in.TableName }

// TableOutput answers the table operations.
type TableOutput struct {
	TableDescription *TableDescription `json:"TableDescription"`
}

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

func checkName(field, name string) error {
	switch {
	case len(name) < 3:
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 3", name, field)
	case len(name) > 255:
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", name, field)
	case !nameRE.MatchString(name):
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, field)
	}
	return nil
}

func checkKeySchema(ks []KeySchemaElement, defs map[string]string, what string) error {
	if len(ks) == 0 || len(ks) > 2 {
		return validation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have length less than or equal to 2", ks, what)
	}
	if ks[0].KeyType != "HASH" {
		return validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 && ks[1].KeyType != "RANGE" {
		return validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	if len(ks) == 2 && ks[0].AttributeName == ks[1].AttributeName {
		return validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	for _, e := range ks {
		if _, ok := defs[e.AttributeName]; !ok {
			return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", keyNames(ks), defNames(defs))
		}
	}
	return nil
}

func keyNames(ks []KeySchemaElement) string {
	var n []string
	for _, e := range ks {
		n = append(n, e.AttributeName)
	}
	return strings.Join(n, ", ")
}

func defNames(defs map[string]string) string {
	var n []string
	for k := range defs {
		n = append(n, k)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

func checkProjection(p *Projection) error {
	if p == nil || p.ProjectionType == "" {
		return validation("One or more parameter values were invalid: Unknown ProjectionType: null")
	}
	switch p.ProjectionType {
	case "ALL", "KEYS_ONLY":
		if len(p.NonKeyAttributes) > 0 {
			return validation("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
		}
	case "INCLUDE":
	default:
		return validation("One or more parameter values were invalid: Unknown ProjectionType: %s", p.ProjectionType)
	}
	return nil
}

// checkBilling holds billing mode and throughput together.
func checkBilling(mode string, pt *ProvisionedThroughput, what string) error {
	switch mode {
	case "", "PROVISIONED":
		if pt == nil {
			return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if pt.ReadCapacityUnits < 1 || pt.WriteCapacityUnits < 1 {
			return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
	case "PAY_PER_REQUEST":
		if pt != nil {
			return validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	default:
		return validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
	}
	return nil
}

// CreateTable makes a table, active at once (it answers CREATING, as AWS does).
func (s *Service) CreateTable(ctx context.Context, in *CreateTableInput) (*TableOutput, error) {
	if err := checkName("tableName", in.TableName); err != nil {
		return nil, err
	}
	defs := map[string]string{}
	for _, d := range in.AttributeDefinitions {
		switch d.AttributeType {
		case "S", "N", "B":
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType)
		}
		defs[d.AttributeName] = d.AttributeType
	}
	if err := checkKeySchema(in.KeySchema, defs, "keySchema"); err != nil {
		return nil, err
	}
	if err := checkBilling(in.BillingMode, in.ProvisionedThroughput, "table"); err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, e := range in.KeySchema {
		used[e.AttributeName] = true
	}
	doc := tableDoc{ID: uuid.NewString(), KeySchema: in.KeySchema, AttributeDefinitions: in.AttributeDefinitions, BillingMode: in.BillingMode,
		Provisioned: in.ProvisionedThroughput, SSE: in.SSESpecification, TableClass: in.TableClass, Tags: in.Tags,
		DeletionProtection: in.DeletionProtectionEnabled, Created: epochSeconds(s.now())}
	if doc.BillingMode == "" {
		doc.BillingMode = "PROVISIONED"
	}
	names := map[string]bool{}
	if len(in.GlobalSecondaryIndexes) > 20 {
		return nil, ErrLimitExceeded.Errorf("Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of 20")
	}
	if len(in.LocalSecondaryIndexes) > 5 {
		return nil, validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")
	}
	for _, g := range in.GlobalSecondaryIndexes {
		d, err := s.checkIndex(g, defs, names, doc.BillingMode)
		if err != nil {
			return nil, err
		}
		for _, e := range g.KeySchema {
			used[e.AttributeName] = true
		}
		doc.GSIs = append(doc.GSIs, d)
	}
	for _, l := range in.LocalSecondaryIndexes {
		if len(in.KeySchema) != 2 {
			return nil, validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		d, err := s.checkIndex(l, defs, names, "PAY_PER_REQUEST")
		if err != nil {
			return nil, err
		}
		if len(l.KeySchema) != 2 || l.KeySchema[0].AttributeName != in.KeySchema[0].AttributeName {
			return nil, validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", l.IndexName, l.KeySchema[0].AttributeName, in.KeySchema[0].AttributeName)
		}
		for _, e := range l.KeySchema {
			used[e.AttributeName] = true
		}
		doc.LSIs = append(doc.LSIs, d)
	}
	if len(used) != len(defs) {
		return nil, validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	if err := s.setStream(&doc, in.StreamSpecification); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(doc)
	rec := &store.Table{Account: callerAccount(ctx), Name: in.TableName, Doc: raw, Created: s.now()}
	err := s.store.CreateTable(ctx, rec)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrResourceInUse.Errorf("Table already exists: %s", in.TableName)
	}
	if err != nil {
		return nil, err
	}
	t, err := s.loadDoc(*rec)
	if err != nil {
		return nil, err
	}
	return &TableOutput{TableDescription: t.describe("CREATING")}, nil
}

func (s *Service) checkIndex(spec IndexSpec, defs map[string]string, names map[string]bool, billing string) (indexDoc, error) {
	if err := checkName("indexName", spec.IndexName); err != nil {
		return indexDoc{}, err
	}
	if names[spec.IndexName] {
		return indexDoc{}, validation("One or more parameter values were invalid: Duplicate index name: %s", spec.IndexName)
	}
	names[spec.IndexName] = true
	if err := checkKeySchema(spec.KeySchema, defs, "keySchema"); err != nil {
		return indexDoc{}, err
	}
	if err := checkProjection(spec.Projection); err != nil {
		return indexDoc{}, err
	}
	if billing == "PAY_PER_REQUEST" && spec.ProvisionedThroughput != nil {
		spec.ProvisionedThroughput = nil
	}
	return indexDoc{Name: spec.IndexName, KeySchema: spec.KeySchema, Projection: *spec.Projection, Provisioned: spec.ProvisionedThroughput}, nil
}

func (s *Service) setStream(doc *tableDoc, spec *StreamSpecification) error {
	if spec == nil {
		return nil
	}
	if spec.StreamEnabled {
		switch spec.StreamViewType {
		case "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY":
		default:
			return validation("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true")
		}
		doc.Stream = spec
		doc.StreamLabel = s.now().UTC().Format("2006-01-02T15:04:05.000")
		return nil
	}
	doc.Stream = nil
	return nil
}

func throughput(p *ProvisionedThroughput) *ProvisionedThroughputDescription {
	if p == nil {
		return &ProvisionedThroughputDescription{}
	}
	return &ProvisionedThroughputDescription{ReadCapacityUnits: p.ReadCapacityUnits, WriteCapacityUnits: p.WriteCapacityUnits}
}

// describe renders the table's description in a status.
func (t *table) describe(status string) *TableDescription {
	d := &TableDescription{
		AttributeDefinitions: t.doc.AttributeDefinitions, TableName: t.Name, KeySchema: t.doc.KeySchema, TableStatus: status,
		CreationDateTime: t.doc.Created, ProvisionedThroughput: throughput(t.doc.Provisioned), TableArn: t.arn, TableId: t.doc.ID,
		DeletionProtectionEnabled: t.doc.DeletionProtection,
	}
	if t.doc.BillingMode == "PAY_PER_REQUEST" {
		d.BillingModeSummary = &BillingModeSummary{BillingMode: "PAY_PER_REQUEST", LastUpdateToPayPerRequestDateTime: t.doc.Created}
	} else {
		d.BillingModeSummary = &BillingModeSummary{BillingMode: "PROVISIONED"}
	}
	for _, g := range t.doc.GSIs {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, IndexDescription{IndexName: g.Name, IndexArn: t.arn + "/index/" + g.Name,
			IndexStatus: "ACTIVE", KeySchema: g.KeySchema, Projection: g.Projection, ProvisionedThroughput: throughput(g.Provisioned)})
	}
	for _, l := range t.doc.LSIs {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, IndexDescription{IndexName: l.Name, IndexArn: t.arn + "/index/" + l.Name,
			KeySchema: l.KeySchema, Projection: l.Projection})
	}
	if t.doc.Stream != nil {
		d.StreamSpecification = t.doc.Stream
		d.LatestStreamLabel = t.doc.StreamLabel
		d.LatestStreamArn = t.arn + "/stream/" + t.doc.StreamLabel
	}
	if t.doc.SSE != nil && t.doc.SSE.Enabled != nil && *t.doc.SSE.Enabled {
		d.SSEDescription = &SSEDescription{Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: t.doc.SSE.KMSMasterKeyId}
	}
	if t.doc.TableClass != "" {
		d.TableClassSummary = &TableClassSummary{TableClass: t.doc.TableClass}
	}
	return d
}

// TableNameInput names a table.
type TableNameInput struct {
	TableName string `json:"TableName"`
}

func (in *TableNameInput) tableName() string { return in.TableName }

// DescribeTableOutput is DescribeTable's output.
type DescribeTableOutput struct {
	Table *TableDescription `json:"Table"`
}

// loadNamed reads a table for a table operation: a missing table names itself.
func (s *Service) loadNamed(ctx context.Context, name string) (*table, error) {
	t, err := s.load(ctx, name)
	if err != nil && isCode(err, ErrResourceNotFound) {
		_, n := tableRef(ctx, name)
		return nil, tableNotFound(n)
	}
	return t, err
}

// DescribeTable describes a table.
func (s *Service) DescribeTable(ctx context.Context, in *TableNameInput) (*DescribeTableOutput, error) {
	t, err := s.loadNamed(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	d := t.describe("ACTIVE")
	if err := s.withStats(ctx, t, d); err != nil {
		return nil, err
	}
	return &DescribeTableOutput{Table: d}, nil
}

// DeleteTable removes a table and its items.
func (s *Service) DeleteTable(ctx context.Context, in *TableNameInput) (*TableOutput, error) {
	t, err := s.loadNamed(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if t.doc.DeletionProtection {
		return nil, validation("Resource cannot be deleted as it is currently protected against manual deletion")
	}
	if err := s.store.DeleteTable(ctx, t.Account, t.Name); errors.Is(err, store.ErrNotFound) {
		return nil, tableNotFound(t.Name)
	} else if err != nil {
		return nil, err
	}
	return &TableOutput{TableDescription: t.describe("DELETING")}, nil
}

// ListTablesInput is ListTables' input.
type ListTablesInput struct {
	ExclusiveStartTableName string `json:"ExclusiveStartTableName"`
	Limit                   *int   `json:"Limit"`
}

// ListTablesOutput is ListTables' output.
type ListTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

// ListTables lists the caller's tables by name.
func (s *Service) ListTables(ctx context.Context, in *ListTablesInput) (*ListTablesOutput, error) {
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", *in.Limit)
		}
		limit = *in.Limit
	}
	after := max(in.ExclusiveStartTableName, "#\xff") // past the backups, exports and imports, which sort first
	list, err := s.store.ListTables(ctx, callerAccount(ctx), after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &ListTablesOutput{TableNames: []string{}}
	list = slices.DeleteFunc(list, func(t store.Table) bool { return strings.HasPrefix(t.Name, "#") })
	for i, t := range list {
		if i == limit {
			out.LastEvaluatedTableName = list[i-1].Name
			break
		}
		out.TableNames = append(out.TableNames, t.Name)
	}
	return out, nil
}

// UpdateTableInput is UpdateTable's input.
type UpdateTableInput struct {
	TableName                   string                 `json:"TableName"`
	AttributeDefinitions        []AttributeDefinition  `json:"AttributeDefinitions"`
	BillingMode                 string                 `json:"BillingMode"`
	ProvisionedThroughput       *ProvisionedThroughput `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexUpdates []struct {
		Create *IndexSpec `json:"Create"`
		Delete *struct {
			IndexName string `json:"IndexName"`
		} `json:"Delete"`
		Update *struct {
			IndexName             string                 `json:"IndexName"`
			ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput"`
		} `json:"Update"`
	} `json:"GlobalSecondaryIndexUpdates"`
	StreamSpecification       *StreamSpecification `json:"StreamSpecification"`
	SSESpecification          *SSESpecification    `json:"SSESpecification"`
	TableClass                string               `json:"TableClass"`
	DeletionProtectionEnabled *bool                `json:"DeletionProtectionEnabled"`
}

func (in *UpdateTableInput) tableName() string { return in.TableName }

// UpdateTable changes billing, throughput, streams, protection and global secondary indexes;
// a new index is filled from the table's items before the call answers.
func (s *Service) UpdateTable(ctx context.Context, in *UpdateTableInput) (*TableOutput, error) {
	t, err := s.loadNamed(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	doc := t.doc
	if in.BillingMode != "" || in.ProvisionedThroughput != nil {
		mode := in.BillingMode
		if mode == "" {
			mode = doc.BillingMode
		}
		if err := checkBilling(mode, in.ProvisionedThroughput, "table"); err != nil {
			return nil, err
		}
		doc.BillingMode, doc.Provisioned = mode, in.ProvisionedThroughput
	}
	defs := map[string]string{}
	for _, d := range doc.AttributeDefinitions {
		defs[d.AttributeName] = d.AttributeType
	}
	for _, d := range in.AttributeDefinitions {
		if old, ok := defs[d.AttributeName]; ok && old != d.AttributeType {
			return nil, validation("One or more parameter values were invalid: Attribute %s is already defined with type %s", d.AttributeName, old)
		} else if !ok {
			defs[d.AttributeName] = d.AttributeType
			doc.AttributeDefinitions = append(doc.AttributeDefinitions, d)
		}
	}
	var created []string
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			names := map[string]bool{}
			for _, g := range doc.GSIs {
				names[g.Name] = true
			}
			for _, l := range doc.LSIs {
				names[l.Name] = true
			}
			if names[u.Create.IndexName] {
				return nil, validation("One or more parameter values were invalid: Index with name: %s already exists", u.Create.IndexName)
			}
			d, err := s.checkIndex(*u.Create, defs, names, doc.BillingMode)
			if err != nil {
				return nil, err
			}
			doc.GSIs = append(append([]indexDoc(nil), doc.GSIs...), d)
			created = append(created, d.Name)
		case u.Delete != nil:
			i := indexOf(doc.GSIs, u.Delete.IndexName)
			if i < 0 {
				return nil, ErrResourceNotFound.Errorf("Requested resource not found: Index: %s not found", u.Delete.IndexName)
			}
			doc.GSIs = append(append([]indexDoc(nil), doc.GSIs[:i]...), doc.GSIs[i+1:]...)
		case u.Update != nil:
			i := indexOf(doc.GSIs, u.Update.IndexName)
			if i < 0 {
				return nil, ErrResourceNotFound.Errorf("Requested resource not found: Index: %s not found", u.Update.IndexName)
			}
			doc.GSIs = append([]indexDoc(nil), doc.GSIs...)
			doc.GSIs[i].Provisioned = u.Update.ProvisionedThroughput
		}
	}
	if in.StreamSpecification != nil {
		if in.StreamSpecification.StreamEnabled && doc.Stream != nil {
			return nil, validation("Table already has an enabled stream: %s", t.arn+"/stream/"+doc.StreamLabel)
		}
		if err := s.setStream(&doc, in.StreamSpecification); err != nil {
			return nil, err
		}
	}
	if in.SSESpecification != nil {
		doc.SSE = in.SSESpecification
	}
	if in.TableClass != "" {
		doc.TableClass = in.TableClass
	}
	if in.DeletionProtectionEnabled != nil {
		doc.DeletionProtection = *in.DeletionProtectionEnabled
	}
	nt, err := s.saveDoc(ctx, t, doc)
	if err != nil {
		return nil, err
	}
	for _, name := range created {
		if err := s.backfill(ctx, nt, name); err != nil {
			return nil, err
		}
	}
	return &TableOutput{TableDescription: nt.describe("ACTIVE")}, nil
}

func indexOf(list []indexDoc, name string) int {
	for i, d := range list {
		if d.Name == name {
			return i
		}
	}
	return -1
}

// saveDoc stores a table's changed document under the revision it was read at.
func (s *Service) saveDoc(ctx context.Context, t *table, doc tableDoc) (*table, error) {
	raw, _ := json.Marshal(doc)
	rec := t.Table
	rec.Doc = raw
	err := s.store.UpdateTable(ctx, rec)
	if errors.Is(err, store.ErrConditionFailed) {
		return nil, ErrResourceInUse.Errorf("Attempt to change a resource which is still in use: Table is being updated: %s", t.Name)
	}
	if err != nil {
		return nil, err
	}
	rec.Rev++
	return s.loadDoc(rec)
}

// backfill writes every item's entry into a new index.
func (s *Service) backfill(ctx context.Context, t *table, name string) error {
	var afterPK, afterSK []byte
	for {
		items, err := s.store.ScanItems(ctx, t.ID, "", afterPK, afterSK, 500)
		if err != nil {
			return err
		}
		for _, it := range items {
			k := store.ItemKey{Table: t.ID, PK: it.PK, SK: it.SK}
			err := s.store.WriteItems(ctx, []store.ItemKey{k}, nil, func(old []*store.TableItem) ([]store.ItemWrite, error) {
				if old[0] == nil {
					return nil, nil
				}
				item, err := decodeStored(old[0])
				if err != nil {
					return nil, err
				}
				w, err := t.write(k, item)
				return []store.ItemWrite{w}, err
			})
			if err != nil && !isCode(err, ErrValidation) {
				return err
			}
		}
		if len(items) < 500 {
			return nil
		}
		afterPK, afterSK = items[len(items)-1].PK, items[len(items)-1].SK
	}
}

// TimeToLiveSpecification turns TTL on or off.
type TimeToLiveSpecification struct {
	AttributeName string `json:"AttributeName"`
	Enabled       bool   `json:"Enabled"`
}

// UpdateTimeToLiveInput is UpdateTimeToLive's input.
type UpdateTimeToLiveInput struct {
	TableName               string                  `json:"TableName"`
	TimeToLiveSpecification TimeToLiveSpecification `json:"TimeToLiveSpecification"`
}

func (in *UpdateTimeToLiveInput) tableName() string { return in.TableName }

// UpdateTimeToLiveOutput is UpdateTimeToLive's output.
type UpdateTimeToLiveOutput struct {
	TimeToLiveSpecification TimeToLiveSpecification `json:"TimeToLiveSpecification"`
}

// UpdateTimeToLive turns TTL on or off; items already stored get their expiry when next written
// or, for those already there, from the sweep's backfill.
func (s *Service) UpdateTimeToLive(ctx context.Context, in *UpdateTimeToLiveInput) (*UpdateTimeToLiveOutput, error) {
	t, err := s.loadNamed(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	spec := in.TimeToLiveSpecification
	if spec.AttributeName == "" {
		return nil, validation("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
	}
	doc := t.doc
	switch {
	case spec.Enabled && doc.TTLEnabled:
		return nil, validation("TimeToLive is already enabled")
	case !spec.Enabled && !doc.TTLEnabled:
		return nil, validation("TimeToLive is already disabled")
	case !spec.Enabled && doc.TTLAttribute != spec.AttributeName:
		return nil, validation("TimeToLive is active on a different AttributeName: current AttributeName is %s", doc.TTLAttribute)
	}
	doc.TTLEnabled, doc.TTLAttribute = spec.Enabled, spec.AttributeName
	nt, err := s.saveDoc(ctx, t, doc)
	if err != nil {
		return nil, err
	}
	if spec.Enabled {
		if err := s.rewriteAll(ctx, nt); err != nil {
			return nil, err
		}
	}
	return &UpdateTimeToLiveOutput{TimeToLiveSpecification: spec}, nil
}

// rewriteAll stores every item again, so its TTL (and index entries) follow the table's settings.
func (s *Service) rewriteAll(ctx context.Context, t *table) error {
	var afterPK, afterSK []byte
	for {
		items, err := s.store.ScanItems(ctx, t.ID, "", afterPK, afterSK, 500)
		if err != nil {
			return err
		}
		for _, it := range items {
			k := store.ItemKey{Table: t.ID, PK: it.PK, SK: it.SK}
			err := s.store.WriteItems(ctx, []store.ItemKey{k}, nil, func(old []*store.TableItem) ([]store.ItemWrite, error) {
				if old[0] == nil {
					return nil, nil
				}
				item, err := decodeStored(old[0])
				if err != nil {
					return nil, err
				}
				w, err := t.write(k, item)
				return []store.ItemWrite{w}, err
			})
			if err != nil {
				return err
			}
		}
		if len(items) < 500 {
			return nil
		}
		afterPK, afterSK = items[len(items)-1].PK, items[len(items)-1].SK
	}
}

// DescribeTimeToLiveOutput is DescribeTimeToLive's output.
type DescribeTimeToLiveOutput struct {
	TimeToLiveDescription struct {
		TimeToLiveStatus string `json:"TimeToLiveStatus"`
		AttributeName    string `json:"AttributeName,omitempty"`
	} `json:"TimeToLiveDescription"`
}

// DescribeTimeToLive reports a table's TTL setting.
func (s *Service) DescribeTimeToLive(ctx context.Context, in *TableNameInput) (*DescribeTimeToLiveOutput, error) {
	t, err := s.loadNamed(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	out := &DescribeTimeToLiveOutput{}
	out.TimeToLiveDescription.TimeToLiveStatus = "DISABLED"
	if t.doc.TTLEnabled {
		out.TimeToLiveDescription.TimeToLiveStatus = "ENABLED"
		out.TimeToLiveDescription.AttributeName = t.doc.TTLAttribute
	}
	return out, nil
}

// TagResourceInput is TagResource's input.
type TagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	Tags        []Tag    `json:"Tags"`
	TagKeys     []string `json:"TagKeys"`
	NextToken   string   `json:"NextToken"`
}

func (in *TagResourceInput) tableName() string { return in.ResourceArn }

// TagsOutput is ListTagsOfResource's output (empty for TagResource and UntagResource).
type TagsOutput struct {
	Tags []Tag `json:"Tags,omitempty"`
}

func (s *Service) loadARN(ctx context.Context, arn string) (*table, error) {
	if !strings.HasPrefix(arn, "arn:") {
		return nil, validation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	t, err := s.load(ctx, arn)
	if err != nil && isCode(err, ErrResourceNotFound) {
		return nil, ErrResourceNotFound.Errorf("Requested resource not found: ResourcArn: %s not found", arn)
	}
	return t, err
}

// TagResource adds or replaces tags.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagsOutput, error) {
	t, err := s.loadARN(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	doc := t.doc
	tags := map[string]string{}
	for _, tg := range doc.Tags {
		tags[tg.Key] = tg.Value
	}
	for _, tg := range in.Tags {
		tags[tg.Key] = tg.Value
	}
	if len(tags) > 50 {
		return nil, validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50")
	}
	doc.Tags = tagList(tags)
	_, err = s.saveDoc(ctx, t, doc)
	return &TagsOutput{}, err
}

// UntagResource removes tags.
func (s *Service) UntagResource(ctx context.Context, in *TagResourceInput) (*TagsOutput, error) {
	t, err := s.loadARN(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	doc := t.doc
	tags := map[string]string{}
	for _, tg := range doc.Tags {
		tags[tg.Key] = tg.Value
	}
	for _, k := range in.TagKeys {
		delete(tags, k)
	}
	doc.Tags = tagList(tags)
	_, err = s.saveDoc(ctx, t, doc)
	return &TagsOutput{}, err
}

func tagList(m map[string]string) []Tag {
	var out []Tag
	for k, v := range m {
		out = append(out, Tag{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// ListTagsOfResource lists a table's tags.
func (s *Service) ListTagsOfResource(ctx context.Context, in *TagResourceInput) (*TagsOutput, error) {
	t, err := s.loadARN(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &TagsOutput{Tags: t.doc.Tags}, nil
}

// EmptyInput is an input without members.
type EmptyInput struct{}

// DescribeLimitsOutput is DescribeLimits' output.
type DescribeLimitsOutput struct {
	AccountMaxReadCapacityUnits  int64 `json:"AccountMaxReadCapacityUnits"`
	AccountMaxWriteCapacityUnits int64 `json:"AccountMaxWriteCapacityUnits"`
	TableMaxReadCapacityUnits    int64 `json:"TableMaxReadCapacityUnits"`
	TableMaxWriteCapacityUnits   int64 `json:"TableMaxWriteCapacityUnits"`
}

// DescribeLimits reports AWS's default quotas.
func (s *Service) DescribeLimits(ctx context.Context, _ *EmptyInput) (*DescribeLimitsOutput, error) {
	return &DescribeLimitsOutput{80000, 80000, 40000, 40000}, nil
}

// DescribeEndpointsOutput is DescribeEndpoints' output.
type DescribeEndpointsOutput struct {
	Endpoints []struct {
		Address              string `json:"Address"`
		CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
	} `json:"Endpoints"`
}

// DescribeEndpoints names the regional endpoint.
func (s *Service) DescribeEndpoints(ctx context.Context, _ *EmptyInput) (*DescribeEndpointsOutput, error) {
	out := &DescribeEndpointsOutput{}
	out.Endpoints = append(out.Endpoints, struct {
		Address              string `json:"Address"`
		CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
	}{fmt.Sprintf("dynamodb.%s.amazonaws.com", s.region), 1440})
	return out, nil
}
