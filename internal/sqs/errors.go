package sqs

import "github.com/gureum/gureum/internal/awserr"

// SQS's error codes: the JSON (__type) name, the legacy query code that query clients see and
// JSON clients receive in x-amzn-query-error, and the status. The query codes follow the Smithy
// model's awsQueryError traits.
var (
	ErrQueueDoesNotExist        = &awserr.Code{Name: "QueueDoesNotExist", Query: "AWS.SimpleQueueService.NonExistentQueue", Status: 400}
	ErrQueueNameExists          = &awserr.Code{Name: "QueueNameExists", Query: "QueueAlreadyExists", Status: 400}
	ErrQueueDeletedRecently     = &awserr.Code{Name: "QueueDeletedRecently", Query: "AWS.SimpleQueueService.QueueDeletedRecently", Status: 400}
	ErrPurgeQueueInProgress     = &awserr.Code{Name: "PurgeQueueInProgress", Query: "AWS.SimpleQueueService.PurgeQueueInProgress", Status: 403}
	ErrReceiptHandleIsInvalid   = &awserr.Code{Name: "ReceiptHandleIsInvalid", Status: 404}
	ErrMessageNotInflight       = &awserr.Code{Name: "MessageNotInflight", Query: "AWS.SimpleQueueService.MessageNotInflight", Status: 400}
	ErrInvalidAttributeName     = &awserr.Code{Name: "InvalidAttributeName", Status: 400}
	ErrInvalidAttributeValue    = &awserr.Code{Name: "InvalidAttributeValue", Status: 400}
	ErrInvalidParameterValue    = &awserr.Code{Name: "InvalidParameterValue", Status: 400}
	ErrMissingParameter         = &awserr.Code{Name: "MissingParameter", Status: 400}
	ErrInvalidMessageContents   = &awserr.Code{Name: "InvalidMessageContents", Status: 400}
	ErrBatchEntryIdsNotDistinct = &awserr.Code{Name: "BatchEntryIdsNotDistinct", Query: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", Status: 400}
	ErrTooManyEntries           = &awserr.Code{Name: "TooManyEntriesInBatchRequest", Query: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Status: 400}
	ErrEmptyBatchRequest        = &awserr.Code{Name: "EmptyBatchRequest", Query: "AWS.SimpleQueueService.EmptyBatchRequest", Status: 400}
	ErrInvalidBatchEntryId      = &awserr.Code{Name: "InvalidBatchEntryId", Query: "AWS.SimpleQueueService.InvalidBatchEntryId", Status: 400}
	ErrBatchRequestTooLong      = &awserr.Code{Name: "BatchRequestTooLong", Query: "AWS.SimpleQueueService.BatchRequestTooLong", Status: 400}
	ErrUnsupportedOperation     = &awserr.Code{Name: "UnsupportedOperation", Query: "AWS.SimpleQueueService.UnsupportedOperation", Status: 400}
	ErrResourceNotFound         = &awserr.Code{Name: "ResourceNotFoundException", Status: 404}
	ErrOverLimit                = &awserr.Code{Name: "OverLimit", Status: 403}
)
