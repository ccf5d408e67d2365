package ssm

import "github.com/gureum/gureum/internal/awserr"

// Parameter Store's error codes, as the SSM API reference names them.
var (
	ErrParameterNotFound          = &awserr.Code{Name: "ParameterNotFound", Status: 400}
	ErrParameterAlreadyExists     = &awserr.Code{Name: "ParameterAlreadyExists", Status: 400}
	ErrParameterVersionNotFound   = &awserr.Code{Name: "ParameterVersionNotFound", Status: 400}
	ErrParameterLimitExceeded     = &awserr.Code{Name: "ParameterLimitExceeded", Status: 400}
	ErrMaxVersionLimitExceeded    = &awserr.Code{Name: "ParameterMaxVersionLimitExceeded", Status: 400}
	ErrPatternMismatch            = &awserr.Code{Name: "ParameterPatternMismatchException", Status: 400}
	ErrInvalidAllowedPattern      = &awserr.Code{Name: "InvalidAllowedPatternException", Status: 400}
	ErrUnsupportedParameterType   = &awserr.Code{Name: "UnsupportedParameterType", Status: 400}
	ErrHierarchyLevelLimit        = &awserr.Code{Name: "HierarchyLevelLimitExceededException", Status: 400}
	ErrHierarchyTypeMismatch      = &awserr.Code{Name: "HierarchyTypeMismatchException", Status: 400}
	ErrInvalidKeyID               = &awserr.Code{Name: "InvalidKeyId", Status: 400}
	ErrLabelLimitExceeded         = &awserr.Code{Name: "ParameterVersionLabelLimitExceeded", Status: 400}
	ErrInvalidFilterKey           = &awserr.Code{Name: "InvalidFilterKey", Status: 400}
	ErrInvalidFilterOption        = &awserr.Code{Name: "InvalidFilterOption", Status: 400}
	ErrInvalidFilterValue         = &awserr.Code{Name: "InvalidFilterValue", Status: 400}
	ErrInvalidNextToken           = &awserr.Code{Name: "InvalidNextToken", Status: 400}
	ErrInvalidResourceID          = &awserr.Code{Name: "InvalidResourceId", Status: 400}
	ErrInvalidResourceType        = &awserr.Code{Name: "InvalidResourceType", Status: 400}
	ErrTooManyTags                = &awserr.Code{Name: "TooManyTagsError", Status: 400}
	ErrTooManyUpdates             = &awserr.Code{Name: "TooManyUpdates", Status: 400}
	ErrValidation                 = &awserr.Code{Name: "ValidationException", Status: 400}
	ErrInternalServer             = &awserr.Code{Name: "InternalServerError", Status: 500, Receiver: true}
	ErrIncompatiblePolicy         = &awserr.Code{Name: "IncompatiblePolicyException", Status: 400}
	ErrInvalidPolicyType          = &awserr.Code{Name: "InvalidPolicyTypeException", Status: 400}
	ErrInvalidPolicyAttribute     = &awserr.Code{Name: "InvalidPolicyAttributeException", Status: 400}
	ErrPoliciesLimitExceeded      = &awserr.Code{Name: "PoliciesLimitExceededException", Status: 400}
	ErrUnsupportedParameterPolicy = &awserr.Code{Name: "UnsupportedParameterPolicy", Status: 400}
)
