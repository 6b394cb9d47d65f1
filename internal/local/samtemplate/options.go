package samtemplate

import (
	"crypto/sha256"
	"strings"
)

// Options supplies the local physical values references resolve to. The
// zero value works.
type Options struct {
	// Region is AWS::Region. Default us-east-1.
	Region string
	// AccountID is AWS::AccountId. Default 123456789012.
	AccountID string
	// StackName is AWS::StackName. Default local.
	StackName string
	// Overrides replaces parameter values by name (see
	// ParseParameterOverrides). Default none.
	Overrides map[string]string
	// Defaults replace the template's Default of the parameters it declares, where Overrides
	// leave them unset; names it does not declare are ignored, so a caller can supply a value
	// that only some templates take. Default none.
	Defaults map[string]string
	// APIID is the id of the template's WebSocket API. It may only be set
	// when the template has one WebSocket API. Default: a stable id of 10
	// lowercase alphanumerics derived from the API's logical id.
	APIID string
	// APIEndpoint is what GetAtt Api.ApiEndpoint returns for that API.
	// Default wss://{apiId}.execute-api.{region}.{urlSuffix}.
	APIEndpoint string
}

// withDefaults returns opts with every empty field set to its default.
func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.StackName == "" {
		o.StackName = "local"
	}
	return o
}

// partition is AWS::Partition for the region.
func (o Options) partition() string {
	switch {
	case strings.HasPrefix(o.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(o.Region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// urlSuffix is AWS::URLSuffix for the region.
func (o Options) urlSuffix() string {
	if strings.HasPrefix(o.Region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// derivedID turns a logical id into a stable id shaped like API Gateway's:
// 10 lowercase alphanumerics.
func derivedID(logicalID string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	sum := sha256.Sum256([]byte(logicalID))
	id := make([]byte, 10)
	for i := range id {
		id[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(id)
}
