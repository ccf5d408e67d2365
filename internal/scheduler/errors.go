package scheduler

import "github.com/gureum/gureum/internal/awserr"

// EventBridge Scheduler's error codes and statuses (botocore scheduler 2021-06-30).
var (
	ErrConflict             = &awserr.Code{Name: "ConflictException", Status: 409}
	ErrInternalServer       = &awserr.Code{Name: "InternalServerException", Status: 500, Receiver: true}
	ErrResourceNotFound     = &awserr.Code{Name: "ResourceNotFoundException", Status: 404}
	ErrServiceQuotaExceeded = &awserr.Code{Name: "ServiceQuotaExceededException", Status: 402}
	ErrThrottling           = &awserr.Code{Name: "ThrottlingException", Status: 429}
	ErrValidation           = &awserr.Code{Name: "ValidationException", Status: 400}
)
