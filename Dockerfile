# Production image: gunicorn (web), Celery worker and beat share it; static files served by whitenoise.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MEDINSURE_DEV=0 STATIC_MANIFEST=1 \
    DJANGO_SETTINGS_MODULE=medinsure.settings
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY --from=frontend /app/node_modules ./node_modules
COPY . .
# Settings only parse the URLs here; nothing connects during the build. Production refuses the committed
# development key, so the build uses a throwaway one (the running containers get theirs from the environment).
RUN DJANGO_SECRET_KEY=build \
    FIELD_ENCRYPTION_KEY=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
 && useradd --system --home /app medinsure && mkdir -p /app/var && chown -R medinsure /app/var
USER medinsure
EXPOSE 8000
# Two processes of four threads each: measured best on 2 cores (docs/PERFORMANCE.md, "Server"). On a
# bigger host raise the processes, e.g. GUNICORN_CMD_ARGS="--workers 4 --threads 4".
ENV GUNICORN_CMD_ARGS="--workers 2 --threads 4"
CMD ["gunicorn", "medinsure.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
