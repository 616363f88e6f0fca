// Azure DevOps' JSON, as far as this provider reads it.

export interface AzError {
  message?: string;
  typeKey?: string;
}

export interface AzIdentity {
  id?: string;
  displayName?: string;
}

export interface AzStatus {
  id?: number;
  state?: string;
  description?: string;
  context?: { name?: string; genre?: string };
  creationDate?: string;
  updatedDate?: string;
  targetUrl?: string;
}

export interface AzRef {
  name: string;
  objectId: string;
  peeledObjectId?: string;
}

export interface AzRefUpdateResult {
  name?: string;
  success?: boolean;
  updateStatus?: string;
  customMessage?: string | null;
}

export interface AzPullRequest {
  pullRequestId: number;
  status?: string;
  title?: string;
  description?: string;
  sourceRefName?: string;
  targetRefName?: string;
  lastMergeSourceCommit?: { commitId?: string };
  lastMergeCommit?: { commitId?: string };
  autoCompleteSetBy?: AzIdentity;
  repository?: { id?: string; name?: string; project?: { id?: string; name?: string } };
}

export interface AzComment {
  id: number;
  parentCommentId?: number;
  content?: string;
  commentType?: string | number;
  isDeleted?: boolean;
}

export interface AzThread {
  id: number;
  comments?: AzComment[];
  isDeleted?: boolean;
}

export interface AzItem {
  gitObjectType?: string;
  content?: string;
}

export interface List<T> {
  count?: number;
  value?: T[];
}
