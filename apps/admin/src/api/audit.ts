/** The audit log, RabbitMQ's paged shape, newest first. */
export const auditPath = (page: number, pageSize: number): string => `/api/audit?page=${page}&page_size=${pageSize}`;
