output "arn" {
  value       = aws_iam_openid_connect_provider.this.arn
  description = "OIDCプロバイダーのARN"
}
