package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// A backup is kept as a table of its own, named backupPrefix + its id (a name no table can
// have, and which ListTables leaves out), holding a copy of the items and the source's
// document with the backup's details.
const backupPrefix = "#backup/"

// BackupDetails describes a backup.
type BackupDetails struct {
	BackupArn              string  `json:"BackupArn"`
	BackupName             string  `json:"BackupName"`
	BackupSizeBytes        int64   `json:"BackupSizeBytes"`
	BackupStatus           string  `json:"BackupStatus"`
	BackupType             string  `json:"BackupType"`
	BackupCreationDateTime float64 `json:"BackupCreationDateTime"`
}

type backupMeta struct {
	BackupDetails
	TableName string `json:"tableName"`
	TableArn  string `json:"tableArn"`
	ItemCount int64  `json:"itemCount"`
}

// copyPage is how many items a copy reads and writes at a time.
const copyPage = 200

// copyItems copies every item of from into to, a page at a time. It returns the count and size
// of what it copied.
func (s *Service) copyItems(ctx context.Context, from, to *table, indexes bool) (count, size int64, err error) {
	return s.copyPages(ctx, func(afterPK, afterSK []byte) ([]store.TableItem, error) {
		return s.store.ScanItems(ctx, from.ID, "", afterPK, afterSK, copyPage)
	}, to, indexes)
}

// copyPages writes into to the items page reads, in key order after a position, until a page
// is short; with indexes, their index entries too (and the target's checks).
func (s *Service) copyPages(ctx context.Context, page func(afterPK, afterSK []byte) ([]store.TableItem, error), to *table, indexes bool) (count, size int64, err error) {
	var afterPK, afterSK []byte
	for {
		rows, err := page(afterPK, afterSK)
		if err != nil {
			return count, size, err
		}
		if len(rows) == 0 {
			return count, size, nil
		}
		keys := make([]store.ItemKey, len(rows))
		writes := make([]store.ItemWrite, len(rows))
		for i, r := range rows {
			keys[i] = store.ItemKey{Table: to.ID, PK: r.PK, SK: r.SK}
			writes[i] = store.ItemWrite{Key: keys[i], Doc: r.Doc}
			if indexes {
				item, err := decodeStored(&rows[i])
				if err != nil {
					return count, size, err
				}
				if writes[i], err = to.write(keys[i], item); err != nil {
					return count, size, err
				}
			}
			count++
			size += int64(len(r.Doc))
		}
		err = s.store.WriteItems(ctx, keys, nil, func([]*store.TableItem) ([]store.ItemWrite, error) { return writes, nil })
		if err != nil {
			return count, size, err
		}
		if len(rows) < copyPage {
			return count, size, nil
		}
		afterPK, afterSK = rows[len(rows)-1].PK, rows[len(rows)-1].SK
	}
}

// CreateBackupInput is CreateBackup's input.
type CreateBackupInput struct {
	TableName  string `json:"TableName"`
	BackupName string `json:"BackupName"`
}

func (in *CreateBackupInput) tableName() string { return in.TableName }

// CreateBackupOutput is CreateBackup's output.
type CreateBackupOutput struct {
	BackupDetails BackupDetails `json:"BackupDetails"`
}

// CreateBackup copies a table's items and settings into a backup before it answers.
func (s *Service) CreateBackup(ctx context.Context, in *CreateBackupInput) (*CreateBackupOutput, error) {
	if err := checkName("backupName", in.BackupName); err != nil {
		return nil, err
	}
	t, err := s.loadNamed(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	id := fmt.Sprintf("%013d-%s", now.UnixMilli(), hex.EncodeToString(suffix))
	doc := t.doc
	doc.PITR = nil
	doc.Backup = &backupMeta{BackupDetails: BackupDetails{BackupArn: t.arn + "/backup/" + id, BackupName: in.BackupName, BackupStatus: "AVAILABLE",
		BackupType: "USER", BackupCreationDateTime: epochSeconds(now)}, TableName: t.Name, TableArn: t.arn}
	raw, _ := json.Marshal(doc)
	rec := &store.Table{Account: t.Account, Name: backupPrefix + id, Doc: raw, Created: now}
	if err := s.store.CreateTable(ctx, rec); err != nil {
		return nil, err
	}
	b, err := s.loadDoc(*rec)
	if err != nil {
		return nil, err
	}
	count, size, err := s.copyItems(ctx, t, b, false)
	if err != nil {
		return nil, err
	}
	doc.Backup.ItemCount, doc.Backup.BackupSizeBytes = count, size
	if b, err = s.saveDoc(ctx, b, doc); err != nil {
		return nil, err
	}
	return &CreateBackupOutput{BackupDetails: b.doc.Backup.BackupDetails}, nil
}

// BackupARNInput names a backup.
type BackupARNInput struct {
	BackupArn string `json:"BackupArn"`
}

func (in *BackupARNInput) tableName() string { return in.BackupArn }

// loadBackup reads a backup by ARN.
func (s *Service) loadBackup(ctx context.Context, arn string) (*table, error) {
	i := strings.Index(arn, "/backup/")
	parts := strings.SplitN(arn, ":", 6)
	if i < 0 || len(parts) != 6 {
		return nil, ErrBackupNotFound.Errorf("Backup not found: %s", arn)
	}
	rec, err := s.store.Table(ctx, parts[4], backupPrefix+arn[i+len("/backup/"):])
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBackupNotFound.Errorf("Backup not found: %s", arn)
	}
	if err != nil {
		return nil, err
	}
	return s.loadDoc(rec)
}

// BackupDescription describes a backup and its source.
type BackupDescription struct {
	BackupDetails      BackupDetails `json:"BackupDetails"`
	SourceTableDetails struct {
		TableName             string                           `json:"TableName"`
		TableId               string                           `json:"TableId"`
		TableArn              string                           `json:"TableArn"`
		TableSizeBytes        int64                            `json:"TableSizeBytes"`
		KeySchema             []KeySchemaElement               `json:"KeySchema"`
		TableCreationDateTime float64                          `json:"TableCreationDateTime"`
		ProvisionedThroughput ProvisionedThroughputDescription `json:"ProvisionedThroughput"`
		ItemCount             int64                            `json:"ItemCount"`
		BillingMode           string                           `json:"BillingMode"`
	} `json:"SourceTableDetails"`
}

// BackupDescriptionOutput is the output of DescribeBackup and DeleteBackup.
type BackupDescriptionOutput struct {
	BackupDescription BackupDescription `json:"BackupDescription"`
}

func (b *table) backupDescription() BackupDescription {
	var d BackupDescription
	d.BackupDetails = b.doc.Backup.BackupDetails
	src := &d.SourceTableDetails
	src.TableName, src.TableId, src.TableArn = b.doc.Backup.TableName, b.doc.ID, b.doc.Backup.TableArn
	src.TableSizeBytes, src.ItemCount = b.doc.Backup.BackupSizeBytes, b.doc.Backup.ItemCount
	src.KeySchema, src.TableCreationDateTime, src.BillingMode = b.doc.KeySchema, b.doc.Created, b.doc.BillingMode
	src.ProvisionedThroughput = *throughput(b.doc.Provisioned)
	return d
}

// DescribeBackup describes a backup.
func (s *Service) DescribeBackup(ctx context.Context, in *BackupARNInput) (*BackupDescriptionOutput, error) {
	b, err := s.loadBackup(ctx, in.BackupArn)
	if err != nil {
		return nil, err
	}
	return &BackupDescriptionOutput{BackupDescription: b.backupDescription()}, nil
}

// DeleteBackup removes a backup.
func (s *Service) DeleteBackup(ctx context.Context, in *BackupARNInput) (*BackupDescriptionOutput, error) {
	b, err := s.loadBackup(ctx, in.BackupArn)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteTable(ctx, b.Account, b.Name); err != nil {
		return nil, err
	}
	d := b.backupDescription()
	d.BackupDetails.BackupStatus = "DELETED"
	return &BackupDescriptionOutput{BackupDescription: d}, nil
}

// ListBackupsInput is ListBackups' input.
type ListBackupsInput struct {
	TableName               string `json:"TableName"`
	Limit                   *int   `json:"Limit"`
	ExclusiveStartBackupArn string `json:"ExclusiveStartBackupArn"`
	BackupType              string `json:"BackupType"`
}

// BackupSummary is one backup in ListBackups.
type BackupSummary struct {
	TableName string `json:"TableName"`
	TableId   string `json:"TableId"`
	TableArn  string `json:"TableArn"`
	BackupDetails
}

// ListBackupsOutput is ListBackups' output.
type ListBackupsOutput struct {
	BackupSummaries        []BackupSummary `json:"BackupSummaries"`
	LastEvaluatedBackupArn string          `json:"LastEvaluatedBackupArn,omitempty"`
}

// ListBackups lists the account's backups, or one table's, oldest first.
func (s *Service) ListBackups(ctx context.Context, in *ListBackupsInput) (*ListBackupsOutput, error) {
	limit := 100
	if in.Limit != nil && *in.Limit >= 1 && *in.Limit <= 100 {
		limit = *in.Limit
	}
	all, err := s.store.ListTables(ctx, callerAccount(ctx), backupPrefix, 0)
	if err != nil {
		return nil, err
	}
	var list []BackupSummary
	for _, rec := range all {
		if !strings.HasPrefix(rec.Name, backupPrefix) {
			break
		}
		b, err := s.loadDoc(rec)
		if err != nil || b.doc.Backup == nil || in.TableName != "" && b.doc.Backup.TableName != in.TableName {
			continue
		}
		list = append(list, BackupSummary{TableName: b.doc.Backup.TableName, TableId: b.doc.ID, TableArn: b.doc.Backup.TableArn, BackupDetails: b.doc.Backup.BackupDetails})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].BackupArn < list[j].BackupArn })
	out := &ListBackupsOutput{BackupSummaries: []BackupSummary{}}
	for _, b := range list {
		if in.ExclusiveStartBackupArn != "" && b.BackupArn <= in.ExclusiveStartBackupArn {
			continue
		}
		if len(out.BackupSummaries) == limit {
			out.LastEvaluatedBackupArn = out.BackupSummaries[limit-1].BackupArn
			break
		}
		out.BackupSummaries = append(out.BackupSummaries, b)
	}
	return out, nil
}

// RestoreTableFromBackupInput is RestoreTableFromBackup's input.
type RestoreTableFromBackupInput struct {
	TargetTableName     string `json:"TargetTableName"`
	BackupArn           string `json:"BackupArn"`
	BillingModeOverride string `json:"BillingModeOverride"`
}

func (in *RestoreTableFromBackupInput) tableName() string { return in.TargetTableName }

// RestoreTableFromBackup makes a new table from a backup: its keys, indexes and items (not its
// stream, TTL or tags, as AWS).
func (s *Service) RestoreTableFromBackup(ctx context.Context, in *RestoreTableFromBackupInput) (*TableOutput, error) {
	if err := checkName("targetTableName", in.TargetTableName); err != nil {
		return nil, err
	}
	b, err := s.loadBackup(ctx, in.BackupArn)
	if err != nil {
		return nil, err
	}
	t, err := s.newRestoredTable(ctx, b, in.TargetTableName, in.BillingModeOverride)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.copyItems(ctx, b, t, true); err != nil {
		return nil, err
	}
	return &TableOutput{TableDescription: t.describe("CREATING")}, nil
}
