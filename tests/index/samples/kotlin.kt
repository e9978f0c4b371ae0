package com.example.notes

import java.time.Instant
import kotlinx.coroutines.flow.Flow as NoteFlow

const val MAX_TITLE = 80

typealias NoteId = Long

interface NoteRepository {
    fun find(id: NoteId): Note?
    suspend fun save(note: Note)
}

data class Note(val id: NoteId, val title: String, val created: Instant = Instant.now())

enum class Priority { LOW, HIGH }

sealed class Result<out T> {
    data class Ok<T>(val value: T) : Result<T>()
    object Missing : Result<Nothing>()
}

class InMemoryRepository(private val clock: Clock) : NoteRepository {
    private val notes = mutableMapOf<NoteId, Note>()

    override fun find(id: NoteId): Note? = notes[id]

    override suspend fun save(note: Note) {
        require(note.title.length <= MAX_TITLE) { "title too long" }
        notes[note.id] = note.copy(created = clock.now())
    }

    companion object {
        fun empty(): InMemoryRepository = InMemoryRepository(SystemClock())
    }
}

object Notes {
    val DEFAULT = Note(0, "untitled")
}

fun String.slug(): String = lowercase().replace(' ', '-')

fun main() {
    val repo = InMemoryRepository.empty()
    println(repo.find(1)?.title?.slug())
}
