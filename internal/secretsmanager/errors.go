package secretsmanager

import "github.com/gureum/gureum/internal/awserr"

// Secrets Manager's error codes, as its API reference names them.
var (
	ErrResourceNotFound   = &awserr.Code{Name: "ResourceNotFoundException", Status: 400}
	ErrResourceExists     = &awserr.Code{Name: "ResourceExistsException", Status: 400}
	ErrInvalidParameter   = &awserr.Code{Name: "InvalidParameterException", Status: 400}
	ErrInvalidRequest     = &awserr.Code{Name: "InvalidRequestException", Status: 400}
	ErrInvalidNextToken   = &awserr.Code{Name: "InvalidNextTokenException", Status: 400}
	ErrLimitExceeded      = &awserr.Code{Name: "LimitExceededException", Status: 400}
	ErrMalformedPolicy    = &awserr.Code{Name: "MalformedPolicyDocumentException", Status: 400}
	ErrDecryptionFailure  = &awserr.Code{Name: "DecryptionFailure", Status: 400}
	ErrEncryptionFailure  = &awserr.Code{Name: "EncryptionFailure", Status: 400}
	ErrInternalService    = &awserr.Code{Name: "InternalServiceError", Status: 500, Receiver: true}
	ErrPreconditionNotMet = &awserr.Code{Name: "PreconditionNotMetException", Status: 400}
	ErrPublicPolicy       = &awserr.Code{Name: "PublicPolicyException", Status: 400}
	ErrValidation         = &awserr.Code{Name: "ValidationException", Status: 400}
)
