namespace TaskGraph.Core.Configuration;

/// <summary>An attachment type's defaults: the MIME type and the mode (append or replace) used when a call names neither.</summary>
public sealed record AttachmentTypeDefinition(string Mime, string Mode);
