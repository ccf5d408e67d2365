package dynamodb

import (
	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/dynamodb/attr"
)

// DynamoDB's error codes, as its API reference names them.
var (
	ErrValidation               = &awserr.Code{Name: "ValidationException", Status: 400}
	ErrResourceNotFound         = &awserr.Code{Name: "ResourceNotFoundException", Status: 400}
	ErrResourceInUse            = &awserr.Code{Name: "ResourceInUseException", Status: 400}
	ErrConditionalCheckFailed   = &awserr.Code{Name: "ConditionalCheckFailedException", Status: 400}
	ErrTransactionCanceled      = &awserr.Code{Name: "TransactionCanceledException", Status: 400}
	ErrTransactionConflict      = &awserr.Code{Name: "TransactionConflictException", Status: 400}
	ErrTransactionInProgress    = &awserr.Code{Name: "TransactionInProgressException", Status: 400}
	ErrIdempotentMismatch       = &awserr.Code{Name: "IdempotentParameterMismatchException", Status: 400}
	ErrProvisionedThroughput    = &awserr.Code{Name: "ProvisionedThroughputExceededException", Status: 400}
	ErrRequestLimitExceeded     = &awserr.Code{Name: "RequestLimitExceeded", Status: 400}
	ErrLimitExceeded            = &awserr.Code{Name: "LimitExceededException", Status: 400}
	ErrItemCollectionSizeLimit  = &awserr.Code{Name: "ItemCollectionSizeLimitExceededException", Status: 400}
	ErrInternalServer           = &awserr.Code{Name: "InternalServerError", Status: 500, Receiver: true}
	ErrBackupNotFound           = &awserr.Code{Name: "BackupNotFoundException", Status: 400}
	ErrTableNotFound            = &awserr.Code{Name: "TableNotFoundException", Status: 400}
	ErrTableAlreadyExists       = &awserr.Code{Name: "TableAlreadyExistsException", Status: 400}
	ErrContinuousBackupsUnavail = &awserr.Code{Name: "ContinuousBackupsUnavailableException", Status: 400}
	ErrPITRUnavailable          = &awserr.Code{Name: "PointInTimeRecoveryUnavailableException", Status: 400}
	ErrInvalidRestoreTime       = &awserr.Code{Name: "InvalidRestoreTimeException", Status: 400}
	ErrInvalidExportTime        = &awserr.Code{Name: "InvalidExportTimeException", Status: 400}
	ErrExportNotFound           = &awserr.Code{Name: "ExportNotFoundException", Status: 400}
	ErrImportNotFound           = &awserr.Code{Name: "ImportNotFoundException", Status: 400}
	ErrExportConflict           = &awserr.Code{Name: "ExportConflictException", Status: 400}
	ErrImportConflict           = &awserr.Code{Name: "ImportConflictException", Status: 400}
)

// isCode reports whether err is an AWS error of code c.
func isCode(err error, c *awserr.Code) bool {
	return err != nil && awserr.As(err).Code == c
}

// validation is a ValidationException with DynamoDB's text.
func validation(format string, args ...any) *awserr.Error {
	return ErrValidation.Errorf(format, args...)
}

// Texts users grep for.
const (
	msgKeySchema       = "The provided key element does not match the schema"
	msgNotFound        = "Requested resource not found"
	msgConditionFailed = "The conditional request failed"
	msgItemTooLarge    = "Item size has exceeded the maximum allowed size"
	msgUpdateTooLarge  = "Item size to update has exceeded the maximum allowed size"
)

func notFound() error { return ErrResourceNotFound.Errorf(msgNotFound) }

func tableNotFound(name string) error {
	return ErrResourceNotFound.Errorf("Requested resource not found: Table: %s not found", name)
}

// conditionFailed is ConditionalCheckFailedException, with the item when the request asked for it.
func conditionFailed(item attr.Item, returnItem bool) error {
	e := ErrConditionalCheckFailed.Errorf(msgConditionFailed)
	if returnItem && item != nil {
		e.Members = map[string]any{"Item": item}
	}
	return e
}
